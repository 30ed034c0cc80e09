import { KpiWindowHistogram } from '@strata/contracts';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export interface GroupMember {
  component: string;
  version: string;
}

/** A registry version group, as routing-control learnt it from `version-group.created`. */
@Entity({ name: 'version_groups' })
export class VersionGroupProjectionEntity {
  @PrimaryColumn({ type: 'text' }) stack!: string;
  @PrimaryColumn({ type: 'text' }) name!: string;
  @Column({ type: 'jsonb' }) members!: GroupMember[];
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

/** A version group deployed to an environment (`deployment.recorded`): only those can take traffic there. */
@Entity({ name: 'group_deployments' })
export class GroupDeploymentEntity {
  @PrimaryColumn({ type: 'text' }) stack!: string;
  @PrimaryColumn({ type: 'text' }) environment!: string;
  @PrimaryColumn({ type: 'text' }) location!: 'staging' | 'production';
  @PrimaryColumn({ type: 'text' }) versionGroup!: string;
  @Column({ type: 'timestamptz' }) recordedAt!: Date;
}

/** One KPI window of a gateway metric per stack config: what analysis steps judge. */
@Entity({ name: 'kpi_windows' })
export class KpiWindowEntity {
  @PrimaryColumn({ type: 'text' }) seriesId!: string;
  @PrimaryColumn({ type: 'timestamptz' }) windowStart!: Date;
  @Column({ type: 'timestamptz' }) windowEnd!: Date;
  @Column({ type: 'text' }) stack!: string;
  @Column({ type: 'text' }) environment!: string;
  @Column({ type: 'text' }) stackConfig!: string;
  @Column({ type: 'text' }) metric!: string;
  @Column({ type: 'double precision' }) sum!: number;
  @Column({ type: 'bigint' }) count!: string;
  @Column({ type: 'double precision', nullable: true }) p99!: number | null;
  /** Latency windows only: the requests' latency histogram, for the judge. */
  @Column({ type: 'jsonb', nullable: true }) histogram!: KpiWindowHistogram | null;
}
