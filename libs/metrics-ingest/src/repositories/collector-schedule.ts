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
