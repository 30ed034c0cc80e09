import { RoutingPolicy, RoutingPolicySources } from '@strata/domain';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** One version of the routing policy of a stack in an environment; versions are never rewritten. */
@Entity({ name: 'routing_policies' })
export class RoutingPolicyEntity {
  @PrimaryColumn({ type: 'text' }) stack!: string;
  @PrimaryColumn({ type: 'text' }) environment!: string;
  @PrimaryColumn({ type: 'integer' }) version!: number;
  @Column({ type: 'jsonb' }) config!: RoutingPolicy;
  /** Who or what made this version: an operator's change, a rollout step. */
  @Column({ type: 'text' }) reason!: string;
  @Column({ type: 'text' }) createdBy!: string;
  /** Where each part came from when derived from deployed layers; null: the operator wrote it all. */
  @Column({ type: 'jsonb', nullable: true }) sources!: RoutingPolicySources | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

/** The last ACK and NACK one gateway sent for a stack and environment. */
@Entity({ name: 'gateway_status' })
export class GatewayStatusEntity {
  @PrimaryColumn({ type: 'text' }) stack!: string;
  @PrimaryColumn({ type: 'text' }) environment!: string;
  @PrimaryColumn({ type: 'text' }) gatewayId!: string;
  @Column({ type: 'integer', nullable: true }) appliedVersion!: number | null;
  @Column({ type: 'integer', nullable: true }) rejectedVersion!: number | null;
  @Column({ type: 'text', nullable: true }) rejectionReason!: string | null;
  @Column({ type: 'jsonb' }) violations!: { field: string; message: string }[];
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
