import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** What a channel is told about. */
export type NotificationEvent = 'rollout-aborted' | 'execution-started' | 'execution-succeeded' | 'execution-failed' | 'trigger-fired';
export const NOTIFICATION_EVENTS: readonly NotificationEvent[] = ['rollout-aborted', 'execution-started', 'execution-succeeded', 'execution-failed', 'trigger-fired'];

@Entity({ name: 'notification_channels' })
export class NotificationChannelEntity {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ type: 'text' }) name!: string;
  /** `slack`: an incoming-webhook message `{text}`; `json`: the event as JSON. */
  @Column({ type: 'text' }) format!: 'slack' | 'json';
  @Column({ type: 'text' }) url!: string;
  /** The variable of the rollback service holding the shared secret the signature is made with. */
  @Column({ type: 'text' }) secretFrom!: string;
  @Column({ type: 'jsonb' }) events!: NotificationEvent[];
  @Column({ type: 'text' }) createdBy!: string;
  @Column({ type: 'timestamptz' }) createdAt!: Date;
}

@Entity({ name: 'notification_deliveries' })
export class NotificationDeliveryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'uuid' }) channelId!: string;
  @Column({ type: 'text' }) event!: NotificationEvent;
  @Column({ type: 'jsonb' }) body!: Record<string, unknown>;
  @Column({ type: 'text' }) status!: 'pending' | 'delivered' | 'failed';
  @Column({ type: 'integer' }) attempts!: number;
  @Column({ type: 'timestamptz' }) nextAttemptAt!: Date;
  @Column({ type: 'text', nullable: true }) lastError!: string | null;
  @Column({ type: 'timestamptz' }) createdAt!: Date;
  @Column({ type: 'timestamptz', nullable: true }) deliveredAt!: Date | null;
}
