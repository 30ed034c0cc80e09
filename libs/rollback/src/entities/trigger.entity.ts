import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A trigger as declared: its body (`when`, `window`, `for`, …) kept as given, parsed by the domain. */
@Entity({ name: 'rollback_triggers' })
export class RollbackTriggerEntity {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ type: 'text' }) stack!: string;
  @Column({ type: 'text' }) environment!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'jsonb' }) spec!: Record<string, unknown>;
  /** `api` (the API or a manifest) or `rollout` (a Rollout's `rollbackTriggers`, named `<rollout>.<index>`). */
  @Column({ type: 'text' }) source!: 'api' | 'rollout';
  @Column({ type: 'text', nullable: true }) rollout!: string | null;
  @Column({ type: 'text' }) createdBy!: string;
  @Column({ type: 'timestamptz' }) createdAt!: Date;
  @Column({ type: 'timestamptz' }) updatedAt!: Date;
  @Column({ type: 'timestamptz', nullable: true }) lastFiredAt!: Date | null;
}

/**
 * What a trigger did when its condition held, once per subject (a rollout, a deployed group).
 * `recorded`: a dry run, nothing done; `done`: the rollout abort was requested; `backward-pending`:
 * the backward execution waits to start (the aborted deploy must fail first); `backward-started`:
 * it runs (`executionId`); `failed`: it could not start (`outcome` says why).
 */
@Entity({ name: 'trigger_firings' })
export class TriggerFiringEntity {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ type: 'uuid' }) triggerId!: string;
  @Column({ type: 'text' }) stack!: string;
  @Column({ type: 'text' }) environment!: string;
  @Column({ type: 'text' }) triggerName!: string;
  @Column({ type: 'text' }) when!: string;
  @Column({ type: 'text' }) action!: 'abort' | 'rollback';
  @Column({ type: 'boolean' }) dryRun!: boolean;
  @Column({ type: 'text' }) subject!: string;
  @Column({ type: 'text', nullable: true }) rollout!: string | null;
  @Column({ type: 'text', nullable: true }) versionGroup!: string | null;
  @Column({ type: 'text' }) evidence!: string;
  @Column({ type: 'text' }) status!: 'recorded' | 'done' | 'backward-pending' | 'backward-started' | 'failed';
  @Column({ type: 'text' }) outcome!: string;
  @Column({ type: 'uuid', nullable: true }) executionId!: string | null;
  @Column({ type: 'timestamptz' }) firedAt!: Date;
  @Column({ type: 'timestamptz' }) updatedAt!: Date;
}

/** A rollout as routing-control last told of it: what KPI conditions compare (its group is the canary config). */
@Entity({ name: 'watched_rollouts' })
export class WatchedRolloutEntity {
  @PrimaryColumn({ type: 'text' }) stack!: string;
  @PrimaryColumn({ type: 'text' }) rollout!: string;
  @Column({ type: 'text' }) environment!: string;
  @Column({ type: 'text' }) versionGroup!: string;
  @Column({ type: 'text' }) phase!: string;
  @Column({ type: 'double precision' }) canaryWeight!: number;
  @Column({ type: 'timestamptz' }) startedAt!: Date;
  @Column({ type: 'timestamptz' }) updatedAt!: Date;
}
