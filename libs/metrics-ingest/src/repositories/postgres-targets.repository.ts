import { Inject, Injectable } from '@nestjs/common';
import { dataSourceToken } from '@strata/persistence';
import { DataSource } from 'typeorm';
import { StatementSnapshot } from '../collectors/statement-deltas';
import { METRICS_INGEST_SERVICE } from '../database/metrics-ingest-schema';
import { CollectorStatus, RunResult, ScheduleRow, toStatus } from './collector-schedule';
import { ScheduledRowsRepository } from './scheduled-rows.repository';

export interface PostgresTargetLabels {
  stack: string;
  environment: string;
  component: string;
  stackConfig?: string;
}

export interface PostgresTargetDefinition {
  name: string;
  /** Exactly one of `url` and `urlFrom` (the name of an environment variable holding the URL). */
  url: string | null;
  urlFrom: string | null;
  labels: PostgresTargetLabels;
  intervalMs: number;
}

export interface PostgresTargetRecord extends PostgresTargetDefinition {
  id: string;
  /** The counters of the last successful scrape; null until the first. */
  baseline: StatementSnapshot | null;
  status: CollectorStatus;
  createdAt: Date;
}

/** Compact jsonb: fingerprint → [calls, total ms, rows]; thousands of statements per target. */
interface StoredBaseline {
  statsReset: string | null;
  statements: Record<string, [number, number, number]>;
}

interface PostgresTargetRow extends ScheduleRow {
  url: string | null;
  url_from: string | null;
  labels: PostgresTargetLabels;
  baseline: StoredBaseline | null;
}

function fromStored(stored: StoredBaseline | null): StatementSnapshot | null {
  if (stored === null) return null;
  return {
    statsReset: stored.statsReset,
    statements: new Map(Object.entries(stored.statements).map(([fingerprint, [calls, totalTimeMs, rows]]) => [fingerprint, { calls, totalTimeMs, rows }])),
  };
}

function toStored(snapshot: StatementSnapshot): StoredBaseline {
  const statements: StoredBaseline['statements'] = {};
  for (const [fingerprint, counters] of snapshot.statements) {
    statements[fingerprint] = [counters.calls, counters.totalTimeMs, counters.rows];
  }
  return { statsReset: snapshot.statsReset, statements };
}

const toRecord = (row: PostgresTargetRow): PostgresTargetRecord => ({
  id: row.id,
  name: row.name,
  url: row.url,
  urlFrom: row.url_from,
  labels: row.labels,
  intervalMs: row.interval_ms,
  baseline: fromStored(row.baseline),
  status: toStatus(row),
  createdAt: row.created_at,
});

/** The only code that reads or writes PostgreSQL targets (not the targets' own databases). */
@Injectable()
export class PostgresTargetsRepository extends ScheduledRowsRepository<PostgresTargetRow, PostgresTargetRecord> {
  constructor(@Inject(dataSourceToken(METRICS_INGEST_SERVICE)) dataSource: DataSource) {
    super(dataSource, 'postgres_targets', 'postgres target', toRecord);
  }

  create(target: PostgresTargetDefinition): Promise<PostgresTargetRecord> {
    return this.insert(target.name, { url: target.url, url_from: target.urlFrom, labels: JSON.stringify(target.labels), interval_ms: target.intervalMs });
  }

  /** A successful scrape becomes the baseline of the next. */
  finishRun(id: string, result: Omit<RunResult, 'advance' | 'runAgainNow'> & { baseline: StatementSnapshot | null }): Promise<void> {
    const { baseline, ...rest } = result;
    return this.finish(id, { ...rest, runAgainNow: false, advance: baseline === null ? {} : { baseline: JSON.stringify(toStored(baseline)) } });
  }
}
