import { DataSource } from 'typeorm';
import { METRICS_INGEST_SCHEMA } from '../database/metrics-ingest-schema';

/** How a scheduled source or target is doing, as the API shows it. */
export interface CollectorStatus {
  intervalMs: number;
  nextRunAt: Date;
  lastRunAt: Date | null;
  lastSuccessAt: Date | null;
  /** Kept after a later success, so a flapping source can be diagnosed; `consecutiveFailures` tells the present. */
  lastError: string | null;
  lastErrorAt: Date | null;
  consecutiveFailures: number;
  lastOutcome: Record<string, unknown> | null;
}

export interface ScheduleRow {
  id: string;
  name: string;
  interval_ms: number;
  next_run_at: Date;
  last_run_at: Date | null;
  last_success_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  consecutive_failures: number;
  last_outcome: Record<string, unknown> | null;
  created_at: Date;
}

export type ScheduledTable = 'query_sources' | 'postgres_targets';

export interface RunResult {
  /** Null when the run succeeded. */
  error: string | null;
  outcome: Record<string, unknown> | null;
  /** True when work is left (a source catching up): due again at once rather than after the interval. */
  runAgainNow: boolean;
  /** Columns a successful run moves forward (the cursor, the baseline); unchanged on failure. */
  advance: Record<string, unknown>;
}

export function toStatus(row: ScheduleRow): CollectorStatus {
  return {
    intervalMs: row.interval_ms,
    nextRunAt: row.next_run_at,
    lastRunAt: row.last_run_at,
    lastSuccessAt: row.last_success_at,
    lastError: row.last_error,
    lastErrorAt: row.last_error_at,
    consecutiveFailures: row.consecutive_failures,
    lastOutcome: row.last_outcome,
  };
}

/**
 * The schedule both kinds of collector share. Replicas claim due rows with a lease
 * (`FOR UPDATE SKIP LOCKED`, so two replicas never run one source at once); a replica that dies
 * mid-run leaves a lease that expires, and another picks the row up.
 */
export class CollectorSchedule {
  private readonly table: string;

  constructor(
    private readonly dataSource: DataSource,
    table: ScheduledTable,
  ) {
    this.table = `"${METRICS_INGEST_SCHEMA}".${table}`;
  }

  /** Rows due now, leased to this replica for `leaseMs`. */
  async claimDue<TRow extends ScheduleRow>(limit: number, leaseMs: number): Promise<TRow[]> {
    // TypeORM answers an UPDATE … RETURNING with [rows, affected].
    const [rows]: [TRow[], number] = await this.dataSource.query(
      `UPDATE ${this.table} AS t SET lease_until = now() + $2 * interval '1 millisecond'
       FROM (SELECT id FROM ${this.table} WHERE next_run_at <= now() AND (lease_until IS NULL OR lease_until < now())
             ORDER BY next_run_at LIMIT $1 FOR UPDATE SKIP LOCKED) AS due
       WHERE t.id = due.id
       RETURNING t.*, t.id::text AS id`,
      [limit, leaseMs],
    );
    return rows;
  }

  /** Ends a run: releases the lease, records its outcome and schedules the next one. */
  async finish(id: string, result: RunResult): Promise<void> {
    const ok = result.error === null;
    const advance = ok ? Object.entries(result.advance) : [];
    const assignments = advance.map(([column], index) => `${column} = $${index + 5}`);
    await this.dataSource.query(
      `UPDATE ${this.table} SET
         lease_until = NULL,
         last_run_at = now(),
         next_run_at = CASE WHEN $3 THEN now() ELSE now() + interval_ms * interval '1 millisecond' END,
         last_success_at = CASE WHEN $2::text IS NULL THEN now() ELSE last_success_at END,
         last_error = COALESCE($2, last_error),
         last_error_at = CASE WHEN $2::text IS NULL THEN last_error_at ELSE now() END,
         consecutive_failures = CASE WHEN $2::text IS NULL THEN 0 ELSE consecutive_failures + 1 END,
         last_outcome = COALESCE($4::jsonb, last_outcome)
         ${assignments.map((assignment) => `, ${assignment}`).join('')}
       WHERE id = $1`,
      [id, result.error, ok && result.runAgainNow, result.outcome === null ? null : JSON.stringify(result.outcome), ...advance.map(([, value]) => value)],
    );
  }
}
