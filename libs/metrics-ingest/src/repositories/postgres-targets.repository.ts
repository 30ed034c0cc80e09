import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@strata/domain';
import { dataSourceToken, isUniqueViolation } from '@strata/persistence';
import { DataSource } from 'typeorm';
import { StatementSnapshot } from '../collectors/statement-deltas';
import { METRICS_INGEST_SCHEMA, METRICS_INGEST_SERVICE } from '../database/metrics-ingest-schema';
import { CollectorSchedule, CollectorStatus, RunResult, ScheduleRow, toStatus } from './collector-schedule';

const table = `"${METRICS_INGEST_SCHEMA}".postgres_targets`;

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
export class PostgresTargetsRepository {
  private readonly schedule: CollectorSchedule;

  constructor(@Inject(dataSourceToken(METRICS_INGEST_SERVICE)) private readonly dataSource: DataSource) {
    this.schedule = new CollectorSchedule(dataSource, 'postgres_targets');
  }

  async create(target: PostgresTargetDefinition): Promise<PostgresTargetRecord> {
    try {
      const rows: PostgresTargetRow[] = await this.dataSource.query(
        `INSERT INTO ${table} (name, url, url_from, labels, interval_ms) VALUES ($1, $2, $3, $4::jsonb, $5) RETURNING *, id::text AS id`,
        [target.name, target.url, target.urlFrom, JSON.stringify(target.labels), target.intervalMs],
      );
      return toRecord(rows[0] as PostgresTargetRow);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw DomainError.alreadyExists('postgres target', target.name);
      }
      throw error;
    }
  }

  /** A page in name order, after the name `after`. */
  async list(limit: number, after: string | undefined): Promise<PostgresTargetRecord[]> {
    const rows: PostgresTargetRow[] = await this.dataSource.query(`SELECT *, id::text AS id FROM ${table} WHERE name > $1 ORDER BY name LIMIT $2`, [after ?? '', limit]);
    return rows.map(toRecord);
  }

  async find(name: string): Promise<PostgresTargetRecord | null> {
    const rows: PostgresTargetRow[] = await this.dataSource.query(`SELECT *, id::text AS id FROM ${table} WHERE name = $1`, [name]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async delete(name: string): Promise<boolean> {
    // TypeORM answers a DELETE with [rows, affected].
    const [, affected]: [unknown[], number] = await this.dataSource.query(`DELETE FROM ${table} WHERE name = $1`, [name]);
    return affected > 0;
  }

  async claimDue(limit: number, leaseMs: number): Promise<PostgresTargetRecord[]> {
    return (await this.schedule.claimDue<PostgresTargetRow>(limit, leaseMs)).map(toRecord);
  }

  /** A successful scrape becomes the baseline of the next. */
  finishRun(id: string, result: Omit<RunResult, 'advance' | 'runAgainNow'> & { baseline: StatementSnapshot | null }): Promise<void> {
    const { baseline, ...rest } = result;
    return this.schedule.finish(id, { ...rest, runAgainNow: false, advance: baseline === null ? {} : { baseline: JSON.stringify(toStored(baseline)) } });
  }
}
