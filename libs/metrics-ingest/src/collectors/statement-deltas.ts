import { SeriesBatch } from '../domain/series-batch';

/** Cumulative counters pg_stat_statements keeps per statement fingerprint (queryid). */
export interface StatementCounters {
  calls: number;
  totalTimeMs: number;
  rows: number;
}

export interface StatementSnapshot {
  /** `pg_stat_statements_info.stats_reset`: changes when every counter was reset. */
  statsReset: string | null;
  statements: ReadonlyMap<string, StatementCounters>;
}

export interface StatementDelta extends StatementCounters {
  fingerprint: string;
  /** Mean execution time of the calls in the interval (not pg_stat_statements' all-time mean). */
  meanMs: number;
}

export interface StatementDeltas {
  /** True on the first scrape: it only sets the baseline. */
  baseline: boolean;
  /** True when the counters were reset since the last scrape. */
  reset: boolean;
  /** Statements that ran in the interval, the most execution time first. */
  deltas: StatementDelta[];
}

/**
 * What each statement did between two scrapes. The first scrape is the baseline (its counters
 * hold an unknown past). After a reset — `pg_stat_statements_reset()` for all (stats_reset moves)
 * or for one statement, or an entry evicted and re-created — the counters restarted at zero, so
 * what they hold now is what happened since: a counter that went down is read that way. A
 * fingerprint new since the last scrape is counted whole for the same reason.
 */
export function statementDeltas(previous: StatementSnapshot | null, current: StatementSnapshot): StatementDeltas {
  if (previous === null) {
    return { baseline: true, reset: false, deltas: [] };
  }
  const reset = previous.statsReset !== null && current.statsReset !== null && previous.statsReset !== current.statsReset;
  const deltas: StatementDelta[] = [];
  for (const [fingerprint, now] of current.statements) {
    const before = reset ? undefined : previous.statements.get(fingerprint);
    const restarted = before === undefined || now.calls < before.calls || now.totalTimeMs < before.totalTimeMs || now.rows < before.rows;
    const calls = restarted ? now.calls : now.calls - before.calls;
    if (calls <= 0) {
      continue;
    }
    const totalTimeMs = restarted ? now.totalTimeMs : now.totalTimeMs - before.totalTimeMs;
    const rows = restarted ? now.rows : now.rows - before.rows;
    deltas.push({ fingerprint, calls, totalTimeMs, rows, meanMs: totalTimeMs / calls });
  }
  deltas.sort((a, b) => b.totalTimeMs - a.totalTimeMs || (a.fingerprint < b.fingerprint ? -1 : 1));
  return { baseline: false, reset, deltas };
}

export interface StatementSeriesScope {
  stack: string;
  environment: string;
  component: string;
  stackConfig?: string;
  /** The registered target's name. */
  target: string;
  database: string;
}

/** The four series of each statement that ran: calls, total and mean time, rows of the interval. */
export const STATEMENT_METRICS = {
  calls: 'db_query_calls',
  totalTimeMs: 'db_query_time_ms_total',
  meanMs: 'db_query_mean_ms',
  rows: 'db_query_rows',
} as const satisfies Record<keyof Omit<StatementDelta, 'fingerprint'>, string>;

export function statementBatches(scope: StatementSeriesScope, deltas: readonly StatementDelta[], timestamp: number): SeriesBatch[] {
  return deltas.flatMap((delta) =>
    (Object.entries(STATEMENT_METRICS) as Array<[keyof typeof STATEMENT_METRICS, string]>).map(([figure, metric]) => ({
      labels: {
        stack: scope.stack,
        environment: scope.environment,
        component: scope.component,
        ...(scope.stackConfig !== undefined ? { stackConfig: scope.stackConfig } : {}),
        metric,
        extra: { fingerprint: delta.fingerprint, database: scope.database, target: scope.target },
      },
      samples: [{ timestamp, value: delta[figure] }],
      histograms: [],
      path: `statements[${delta.fingerprint}].${figure}`,
    })),
  );
}
