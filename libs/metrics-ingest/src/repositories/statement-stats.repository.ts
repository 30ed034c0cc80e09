import { Injectable } from '@nestjs/common';
import { Client } from 'pg';
import { StatementCounters, StatementSnapshot } from '../collectors/statement-deltas';

export interface StatementStatsScrape extends StatementSnapshot {
  database: string;
}

interface StatementRow {
  fingerprint: string;
  calls: number;
  total_ms: number;
  rows: number;
}

/** The extension missing is a setup problem of the target: say how to fix it. */
function explain(error: Error): Error {
  if (/pg_stat_statements/.test(error.message) && /does not exist|must be loaded/.test(error.message)) {
    return new Error(`${error.message} — the target needs shared_preload_libraries = 'pg_stat_statements' and CREATE EXTENSION pg_stat_statements in this database`);
  }
  return error;
}

/**
 * Reads pg_stat_statements of a registered database (not Strata's own): the only code that
 * connects to one. Counters are summed per queryid over users and top-level/nested rows, for the
 * target's database only (the view covers the whole cluster).
 */
@Injectable()
export class StatementStatsRepository {
  async scrape(url: string, timeoutMs: number): Promise<StatementStatsScrape> {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, statement_timeout: timeoutMs, application_name: 'strata-metrics-pg-stat-statements' });
    try {
      await client.connect();
      const statements = await client.query<StatementRow>(
        `SELECT s.queryid::text AS fingerprint, sum(s.calls)::float8 AS calls, sum(s.total_exec_time)::float8 AS total_ms, sum(s.rows)::float8 AS rows
         FROM pg_stat_statements s
         WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND s.queryid IS NOT NULL
         GROUP BY s.queryid`,
      );
      const info = await client.query<{ stats_reset: Date | null; database: string }>(
        `SELECT (SELECT stats_reset FROM pg_stat_statements_info) AS stats_reset, current_database() AS database`,
      );
      const counters = new Map<string, StatementCounters>(statements.rows.map((row) => [row.fingerprint, { calls: row.calls, totalTimeMs: row.total_ms, rows: row.rows }]));
      const first = info.rows[0];
      return { database: first?.database ?? '', statsReset: first?.stats_reset?.toISOString() ?? null, statements: counters };
    } catch (error) {
      throw explain(error as Error);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
