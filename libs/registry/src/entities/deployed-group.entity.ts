import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { VersionMapLocation } from './version-map-entry.entity';
import { EnvironmentEntity } from './environment.entity';
import { VersionGroupEntity } from './version-group.entity';

/**
 * A version group deployed to an environment's location. Groups stay side by side (the stable and
 * the canary of a rollout) until one is retired: replaced by a promoted canary, rolled back, or by
 * an operator. Only groups not retired say which versions the nodes there are expected to run.
 */
@Entity({ name: 'deployed_groups' })
@Unique('deployed_groups_unique', ['environmentId', 'location', 'versionGroupId'])
export class DeployedGroupEntity {
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
  versionGroupId!: string;

  @ManyToOne(() => VersionGroupEntity)
  @JoinColumn({ name: 'version_group_id' })
  versionGroup!: VersionGroupEntity;

  @Column({ type: 'timestamptz' })
  deployedAt!: Date;

  @Column({ type: 'text' })
  deployedBy!: string;

  @Column({ type: 'timestamptz', nullable: true })
  retiredAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  retiredBy!: string | null;

  @Column({ type: 'text', nullable: true })
  retiredReason!: string | null;
}
