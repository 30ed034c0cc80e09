import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { ComponentVersionEntity } from './component-version.entity';
import { ComponentEntity } from './component.entity';
import { EnvironmentEntity } from './environment.entity';

export type DeploymentLocation = 'staging' | 'production';
export type DeploymentStatus = 'deploying' | 'healthy' | 'degraded' | 'failed' | 'rolled-back';

/** One slot of the version map: which version of a component runs in an environment's location. */
@Entity({ name: 'deployments' })
@Unique('deployments_slot', ['environmentId', 'location', 'componentId'])
export class DeploymentEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  environmentId!: string;

  @ManyToOne(() => EnvironmentEntity)
  @JoinColumn({ name: 'environment_id' })
  environment!: EnvironmentEntity;

  @Column({ type: 'text' })
  location!: DeploymentLocation;

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
  status!: DeploymentStatus;

  /** When a health check last answered for it; null means its health was never seen. */
  @Column({ type: 'timestamptz', nullable: true })
  healthSeenAt!: Date | null;

  @Column({ type: 'timestamptz' })
  since!: Date;
}
