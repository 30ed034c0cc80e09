import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@strata/domain';
import { isDatabaseUnreachable } from '@strata/observability';
import type { QueryStatistic } from '@strata/predictive-staging/advisor';
import { Client } from 'pg';
import { postgresUrl, type Environment } from '@strata/config';
import { TARGET_ENVIRONMENT } from '../config/predictive-staging-settings';

const CONNECT_TIMEOUT_MS = 10_000;

/**
 * The databases proposals are about, reached through the variable a proposal names
 * (`databaseUrlFrom`), read from this service's environment at each use: a URL is never stored,
 * logged or returned, and a rotated one is picked up.
 */
@Injectable()
export class TargetDatabases {
  constructor(@Inject(TARGET_ENVIRONMENT) private readonly environment: Environment) {}

  /**
   * The URL the variable holds; unset, or not a PostgreSQL URL → 422 naming `field`. The second keeps a
   * caller from reading other variables of this process through the driver's errors (`PATH` as a
   * socket directory: "connect ENOENT /usr/local/bin:…/.s.PGSQL.5432").
   */
  url(variable: string, field: string): string {
    const url = this.environment[variable];
    if (!url) {
      throw DomainError.invalid('the target database cannot be reached', [{ field, message: `the variable ${variable} is not set in predictive-staging's environment` }]);
    }
    if (!postgresUrl.safeParse(url).success) {
      throw DomainError.invalid('the target database cannot be reached', [{ field, message: `the variable ${variable} does not hold a postgres:// or postgresql:// URL` }]);
    }
    return url;
  }

  /** Runs `work` on a connection of its own; an unreachable database → 422 naming `field`, with the driver's reason. */
  async with<T>(variable: string, field: string, work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: this.url(variable, field), connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'strata-predictive-staging' });
    client.on('error', () => undefined); // a connection lost mid-work fails the query in flight; nothing else listens
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw DomainError.invalid('the target database cannot be reached', [{ field, message: `the database ${variable} names is unreachable: ${(error as Error).message}` }]);
    }
    try {
      return await work(client);
    } catch (error) {
      // The target's connection, not Strata's own database: a 422 naming the field, never the 503 that says Strata is down.
      if (isDatabaseUnreachable(error)) {
        throw DomainError.invalid('the target database connection was lost', [{ field, message: `the connection to the database ${variable} names was lost: ${(error as Error).message}` }]);
      }
      throw error;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** The target's statements from pg_stat_statements (its own database only); absent → 422 naming `statements`. */
  async capturedStatements(client: Client): Promise<QueryStatistic[]> {
    const { rows } = await client.query<{ installed: boolean }>(`SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements') AS installed`);
    if (!rows[0]?.installed) {
      throw DomainError.invalid('no statements to advise on', [
        { field: 'statements', message: 'give the statements, or load pg_stat_statements in the target (shared_preload_libraries, CREATE EXTENSION pg_stat_statements)' },
      ]);
    }
    const statements = await client.query<{ query: string; calls: string; mean_exec_time: number }>(
      `SELECT query, calls, mean_exec_time FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    return statements.rows.map((row) => ({ query: row.query, calls: Number(row.calls), meanExecTimeMs: Number(row.mean_exec_time) }));
  }
}
