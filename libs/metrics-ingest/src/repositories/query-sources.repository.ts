import { Inject, Injectable } from '@nestjs/common';
import { dataSourceToken } from '@strata/persistence';
import { DataSource } from 'typeorm';
import { METRICS_INGEST_SERVICE } from '../database/metrics-ingest-schema';
import { LabelDefaults } from '../prometheus/label-mapping';
import { CollectorStatus, RunResult, ScheduleRow, toStatus } from './collector-schedule';
import { ScheduledRowsRepository } from './scheduled-rows.repository';

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
export class QuerySourcesRepository extends ScheduledRowsRepository<QuerySourceRow, QuerySourceRecord> {
  constructor(@Inject(dataSourceToken(METRICS_INGEST_SERVICE)) dataSource: DataSource) {
    super(dataSource, 'query_sources', 'query source', toRecord);
  }

  create(source: QuerySourceDefinition): Promise<QuerySourceRecord> {
    return this.insert(source.name, {
      base_url: source.baseUrl,
      query: source.query,
      metric: source.metric,
      step_ms: source.stepMs,
      interval_ms: source.intervalMs,
      delay_ms: source.delayMs,
      backfill_ms: source.backfillMs,
      defaults: JSON.stringify(source.defaults),
    });
  }

  /** A successful run moves the cursor to the last timestamp it stored. */
  finishRun(id: string, result: Omit<RunResult, 'advance'> & { cursor: number | null }): Promise<void> {
    const { cursor, ...rest } = result;
    return this.finish(id, { ...rest, advance: cursor === null ? {} : { cursor_ms: cursor } });
  }
}
