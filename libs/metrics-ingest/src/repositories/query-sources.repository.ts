import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@strata/domain';
import { dataSourceToken, isUniqueViolation } from '@strata/persistence';
import { DataSource } from 'typeorm';
import { METRICS_INGEST_SCHEMA, METRICS_INGEST_SERVICE } from '../database/metrics-ingest-schema';
import { LabelDefaults } from '../prometheus/label-mapping';
import { CollectorSchedule, CollectorStatus, RunResult, ScheduleRow, toStatus } from './collector-schedule';

const table = `"${METRICS_INGEST_SCHEMA}".query_sources`;

export interface QuerySourceDefinition {
  name: string;
  /** Prometheus' base URL, e.g. `http://prometheus:9090` (the API path is appended). */
  baseUrl: string;
  query: string;
  /** Names result series without `__name__`; null keeps Prometheus' names only. */
  metric: string | null;
  stepMs: number;
  intervalMs: number;
  delayMs: number;
  backfillMs: number;
  defaults: LabelDefaults;
}

export interface QuerySourceRecord extends QuerySourceDefinition {
  id: string;
  /** The last evaluation timestamp stored (epoch ms); null before the first successful run. */
  cursor: number | null;
  status: CollectorStatus;
  createdAt: Date;
}

interface QuerySourceRow extends ScheduleRow {
  base_url: string;
  query: string;
  metric: string | null;
  step_ms: number;
  delay_ms: number;
  backfill_ms: string;
  defaults: LabelDefaults;
  cursor_ms: string | null;
}

const toRecord = (row: QuerySourceRow): QuerySourceRecord => ({
  id: row.id,
  name: row.name,
  baseUrl: row.base_url,
  query: row.query,
  metric: row.metric,
  stepMs: row.step_ms,
  intervalMs: row.interval_ms,
  delayMs: row.delay_ms,
  backfillMs: Number(row.backfill_ms),
  defaults: row.defaults,
  cursor: row.cursor_ms === null ? null : Number(row.cursor_ms),
  status: toStatus(row),
  createdAt: row.created_at,
});

/** The only code that reads or writes Prometheus query sources. */
@Injectable()
export class QuerySourcesRepository {
  private readonly schedule: CollectorSchedule;

  constructor(@Inject(dataSourceToken(METRICS_INGEST_SERVICE)) private readonly dataSource: DataSource) {
    this.schedule = new CollectorSchedule(dataSource, 'query_sources');
  }

  async create(source: QuerySourceDefinition): Promise<QuerySourceRecord> {
    try {
      const rows: QuerySourceRow[] = await this.dataSource.query(
        `INSERT INTO ${table} (name, base_url, query, metric, step_ms, interval_ms, delay_ms, backfill_ms, defaults)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb) RETURNING *, id::text AS id`,
        [source.name, source.baseUrl, source.query, source.metric, source.stepMs, source.intervalMs, source.delayMs, source.backfillMs, JSON.stringify(source.defaults)],
      );
      return toRecord(rows[0] as QuerySourceRow);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw DomainError.alreadyExists('query source', source.name);
      }
      throw error;
    }
  }

  /** A page in name order, after the name `after`. */
  async list(limit: number, after: string | undefined): Promise<QuerySourceRecord[]> {
    const rows: QuerySourceRow[] = await this.dataSource.query(`SELECT *, id::text AS id FROM ${table} WHERE name > $1 ORDER BY name LIMIT $2`, [after ?? '', limit]);
    return rows.map(toRecord);
  }

  async find(name: string): Promise<QuerySourceRecord | null> {
    const rows: QuerySourceRow[] = await this.dataSource.query(`SELECT *, id::text AS id FROM ${table} WHERE name = $1`, [name]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async delete(name: string): Promise<boolean> {
    // TypeORM answers a DELETE with [rows, affected].
    const [, affected]: [unknown[], number] = await this.dataSource.query(`DELETE FROM ${table} WHERE name = $1`, [name]);
    return affected > 0;
  }

  async claimDue(limit: number, leaseMs: number): Promise<QuerySourceRecord[]> {
    return (await this.schedule.claimDue<QuerySourceRow>(limit, leaseMs)).map(toRecord);
  }

  /** A successful run moves the cursor to the last timestamp it stored. */
  finishRun(id: string, result: Omit<RunResult, 'advance'> & { cursor: number | null }): Promise<void> {
    const { cursor, ...rest } = result;
    return this.schedule.finish(id, { ...rest, advance: cursor === null ? {} : { cursor_ms: cursor } });
  }
}
