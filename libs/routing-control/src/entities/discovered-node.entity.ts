import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type DiscoveredNodeHealth = 'healthy' | 'unhealthy' | 'unknown';

/** A node as the registry last announced it (`node.changed`): what discovered stack configs route to. */
@Entity({ name: 'nodes' })
export class DiscoveredNodeEntity {
  @PrimaryColumn({ type: 'text' }) stack!: string;
  @PrimaryColumn({ type: 'text' }) environment!: string;
  @PrimaryColumn({ type: 'text' }) location!: 'staging' | 'production';
  @PrimaryColumn({ type: 'text' }) component!: string;
  @PrimaryColumn({ type: 'text' }) address!: string;
  @Column({ type: 'text' }) url!: string;
  @Column({ type: 'text', nullable: true }) discoveredVersion!: string | null;
  @Column({ type: 'text' }) health!: DiscoveredNodeHealth;
  /** When the registry saw this state; an older announcement arriving late never overwrites a newer one. */
  @Column({ type: 'timestamptz' }) observedAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}

/** The stack configs of one policy version whose nodes routing-control fills from the discovered nodes. */
@Entity({ name: 'policy_discovered_stack_configs' })
export class PolicyDiscoveredStackConfigsEntity {
  @PrimaryColumn({ type: 'text' }) stack!: string;
  @PrimaryColumn({ type: 'text' }) environment!: string;
  @PrimaryColumn({ type: 'integer' }) version!: number;
  @Column({ type: 'jsonb' }) stackConfigs!: string[];
}
