import { DomainError } from '@strata/domain';
import { isUniqueViolation } from '@strata/persistence';
import { DataSource } from 'typeorm';
import { METRICS_INGEST_SCHEMA } from '../database/metrics-ingest-schema';
import { RunResult, ScheduleRow, ScheduledTable } from './collector-schedule';

/**
 * What both kinds of collector (query sources, PostgreSQL targets) do with their table: named rows
 * with a schedule. Replicas claim due rows with a lease (`FOR UPDATE SKIP LOCKED`, so two replicas
 * never run one row at once); a replica that dies mid-run leaves a lease that expires, and another
 * picks the row up.
 */
export abstract class ScheduledRowsRepository<TRow extends ScheduleRow, TRecord> {
  private readonly table: string;

  protected constructor(
    protected readonly dataSource: DataSource,
    table: ScheduledTable,
    private readonly what: string,
    private readonly toRecord: (row: TRow) => TRecord,
  ) {
    this.table = `"${METRICS_INGEST_SCHEMA}".${table}`;
  }

  /** Inserts a row of the given columns (jsonb ones as JSON text); a taken name is a conflict. */
  protected async insert(name: string, columns: Record<string, unknown>): Promise<TRecord> {
    const entries = Object.entries({ name, ...columns });
    try {
      const rows: TRow[] = await this.dataSource.query(
        `INSERT INTO ${this.table} (${entries.map(([column]) => column).join(', ')}) VALUES (${entries.map((_, index) => `$${index + 1}`).join(', ')})
         RETURNING *, id::text AS id`,
        entries.map(([, value]) => value),
      );
      return this.toRecord(rows[0] as TRow);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw DomainError.alreadyExists(this.what, name);
      }
      throw error;
    }
  }

  /** A page in name order, after the name `after`. */
  async list(limit: number, after: string | undefined): Promise<TRecord[]> {
    const rows: TRow[] = await this.dataSource.query(`SELECT *, id::text AS id FROM ${this.table} WHERE name > $1 ORDER BY name LIMIT $2`, [after ?? '', limit]);
    return rows.map(this.toRecord);
  }

  async find(name: string): Promise<TRecord | null> {
    const rows: TRow[] = await this.dataSource.query(`SELECT *, id::text AS id FROM ${this.table} WHERE name = $1`, [name]);
    return rows[0] ? this.toRecord(rows[0]) : null;
  }

  async delete(name: string): Promise<boolean> {
    // TypeORM answers a DELETE with [rows, affected].
    const [, affected]: [unknown[], number] = await this.dataSource.query(`DELETE FROM ${this.table} WHERE name = $1`, [name]);
    return affected > 0;
  }

  /** Rows due now, leased to this replica for `leaseMs`. */
  async claimDue(limit: number, leaseMs: number): Promise<TRecord[]> {
    // TypeORM answers an UPDATE … RETURNING with [rows, affected].
    const [rows]: [TRow[], number] = await this.dataSource.query(
      `UPDATE ${this.table} AS t SET lease_until = now() + $2 * interval '1 millisecond'
       FROM (SELECT id FROM ${this.table} WHERE next_run_at <= now() AND (lease_until IS NULL OR lease_until < now())
             ORDER BY next_run_at LIMIT $1 FOR UPDATE SKIP LOCKED) AS due
       WHERE t.id = due.id
       RETURNING t.*, t.id::text AS id`,
      [limit, leaseMs],
    );
    return rows.map(this.toRecord);
  }

  /** Ends a run: releases the lease, records its outcome and schedules the next one. */
  protected async finish(id: string, result: RunResult): Promise<void> {
    const ok = result.error === null;
    const advance = ok ? Object.entries(result.advance) : [];
    const assignments = advance.map(([column], index) => `, ${column} = $${index + 5}`);
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
         ${assignments.join('')}
       WHERE id = $1`,
      [id, result.error, ok && result.runAgainNow, result.outcome === null ? null : JSON.stringify(result.outcome), ...advance.map(([, value]) => value)],
    );
  }
}
