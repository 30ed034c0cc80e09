import { JudgedMetric, RollbackTrigger, RolloutPhase, RolloutState, RolloutStep } from '@strata/domain';
import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A canary rollout and the state machine's persisted state, so a restart resumes where it was. */
@Entity({ name: 'rollouts' })
export class RolloutEntity {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ type: 'text' }) stack!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text' }) environment!: string;
  @Column({ type: 'text' }) versionGroup!: string;
  @Column({ type: 'jsonb' }) steps!: RolloutStep[];
  @Column({ type: 'jsonb' }) rollbackTriggers!: RollbackTrigger[];
  /** The stable config when the rollout started: where an undone promotion sends traffic back. */
  @Column({ type: 'text', nullable: true }) baselineConfig!: string | null;
  @Column({ type: 'jsonb' }) state!: RolloutState;
  /** `state.phase`, as a column so active rollouts are found by index. */
  @Column({ type: 'text' }) phase!: RolloutPhase;
  @Column({ type: 'text', nullable: true }) sourceChecksum!: string | null;
  @Column({ type: 'text' }) createdBy!: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}

@Entity({ name: 'rollout_transitions' })
export class RolloutTransitionEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) seq!: string;
  @Column({ type: 'uuid' }) rolloutId!: string;
  @Column({ type: 'text', nullable: true }) fromPhase!: RolloutPhase | null;
  @Column({ type: 'text' }) toPhase!: RolloutPhase;
  @Column({ type: 'integer' }) stepIndex!: number;
  @Column({ type: 'real' }) canaryWeight!: number;
  @Column({ type: 'text' }) reason!: string;
  @Column({ type: 'integer', nullable: true }) policyVersion!: number | null;
  /** On the transition an analysis caused: the statistical judge's metrics and their p-values. */
  @Column({ type: 'jsonb', nullable: true }) judgedMetrics!: JudgedMetric[] | null;
  @Column({ type: 'text' }) actor!: string;
  @CreateDateColumn({ type: 'timestamptz' }) at!: Date;
}
