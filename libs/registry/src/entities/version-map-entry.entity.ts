import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { ComponentVersionEntity } from './component-version.entity';
import { ComponentEntity } from './component.entity';
import { EnvironmentEntity } from './environment.entity';

export type VersionMapLocation = 'staging' | 'production';
export type VersionMapStatus = 'deploying' | 'deployed' | 'healthy' | 'degraded' | 'failed' | 'rolled-back';

/** What a slot held before an execution claimed it (`deploying`), or that it was empty. */
export type SlotBeforeClaim = { componentVersionId: string; versionGroupId: string | null; status: VersionMapStatus; executionId: string | null } | { empty: true };

/**
 * One entry of the version map: which version of a component runs in an environment's location
 * (the table keeps its first name, `deployments`).
 */
@Entity({ name: 'deployments' })
@Unique('deployments_slot', ['environmentId', 'location', 'componentId'])
export class VersionMapEntryEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  environmentId!: string;

  @ManyToOne(() => EnvironmentEntity)
  @JoinColumn({ name: 'environment_id' })
  environment!: EnvironmentEntity;

  @Column({ type: 'text' })
  location!: VersionMapLocation;

  @Column({ type: 'uuid' })
  componentId!: string;

  @ManyToOne(() => ComponentEntity)
  @JoinColumn({ name: 'component_id' })
  component!: ComponentEntity;

  @Column({ type: 'uuid' })
  componentVersionId!: string;

  @ManyToOne(() => ComponentVersionEntity)
  @JoinColumn({ name: 'component_version_id' })
  componentVersion!: ComponentVersionEntity;

  @Column({ type: 'uuid', nullable: true })
  versionGroupId!: string | null;

  @Column({ type: 'text' })
  status!: VersionMapStatus;

  /** The rollback service's execution that applied it; null: recorded for a tool that deployed it. */
  @Column({ type: 'uuid', nullable: true })
  executionId!: string | null;

  /**
   * Set while a running execution has claimed the slot (`deploying`) and not yet applied it: what
   * to put back if the execution fails or is abandoned first. Null once the slot moved on.
   */
  @Column({ type: 'jsonb', nullable: true })
  beforeClaim!: SlotBeforeClaim | null;

  /** When a health check last answered for it; null means its health was never seen. */
  @Column({ type: 'timestamptz', nullable: true })
  healthSeenAt!: Date | null;

  @Column({ type: 'timestamptz' })
  since!: Date;
}
