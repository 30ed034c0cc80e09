import { ExecutionKind, ExecutionStatus, StepAction, StepStatus } from '@strata/domain';
import { Column, Entity, OneToMany, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

@Entity({ name: 'executions' })
export class ExecutionEntity {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ type: 'text' }) kind!: ExecutionKind;
  @Column({ type: 'text' }) stack!: string;
  @Column({ type: 'text' }) environment!: string;
  @Column({ type: 'text' }) versionGroup!: string;
  @Column({ type: 'text', nullable: true }) fromVersionGroup!: string | null;
  @Column({ type: 'text' }) status!: ExecutionStatus;
  @Column({ type: 'text', nullable: true }) reason!: string | null;
  @Column({ type: 'text' }) actor!: string;
  /** A deploy whose traffic moves through a canary rollout: its steps and rollback triggers (a Rollout spec without environment and group). */
  @Column({ type: 'jsonb', nullable: true }) canary!: Record<string, unknown> | null;
  @Column({ type: 'timestamptz' }) createdAt!: Date;
  @Column({ type: 'timestamptz' }) updatedAt!: Date;
  @OneToMany(() => ExecutionStepEntity, (step) => step.execution) steps!: ExecutionStepEntity[];
}

/** What a step's executor keeps between ticks: requests sent, actions done, what it found. */
export interface StepDetail {
  /** The routing request of this step went out (in the transaction that started it). */
  requested?: boolean;
  /** A canary traffic step's phase: the canary listed at weight 0, its rollout running, then all traffic moved. */
  phase?: 'canary' | 'rollout' | 'traffic';
  /** The canary rollout's name. */
  rollout?: string;
  /** When the current phase began (epoch ms): a phase waiting on gateways times out from there. */
  phaseStartedAt?: number;
  /** Rollback/forward actions done, in order: a resumed step starts after them. */
  actionsDone?: number;
  /** Failed attempts of the current HTTP call, and when the last was made (epoch ms): the retry backoff. */
  attempts?: number;
  lastAttemptAt?: number;
  /** What the step did or found, for the operator: the SQL run, the policy version ACKed, nodes ready. */
  outcome?: string;
}

@Entity({ name: 'execution_steps' })
export class ExecutionStepEntity {
  @PrimaryColumn({ type: 'uuid' }) executionId!: string;
  @PrimaryColumn({ type: 'integer' }) index!: number;
  @ManyToOne(() => ExecutionEntity, (execution) => execution.steps) @JoinColumn({ name: 'execution_id' }) execution!: ExecutionEntity;
  @Column({ type: 'text' }) action!: StepAction;
  @Column({ type: 'text' }) component!: string;
  @Column({ type: 'text' }) type!: string;
  @Column({ type: 'text', nullable: true }) fromVersion!: string | null;
  @Column({ type: 'text', nullable: true }) toVersion!: string | null;
  @Column({ type: 'text' }) status!: StepStatus;
  @Column({ type: 'text' }) idempotencyKey!: string;
  @Column({ type: 'text', nullable: true }) error!: string | null;
  @Column({ type: 'jsonb' }) detail!: StepDetail;
  @Column({ type: 'timestamptz', nullable: true }) startedAt!: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
}
