import { Inject, Injectable } from '@nestjs/common';
import { dataSourceToken } from '@strata/persistence';
import { DataSource } from 'typeorm';
import { METRICS_INGEST_SCHEMA, METRICS_INGEST_SERVICE } from '../database/metrics-ingest-schema';
import { SeriesLabels, storedLabels } from '../domain/series-batch';

const schema = METRICS_INGEST_SCHEMA;

export interface SeriesRecord {
  id: string;
  labels: SeriesLabels;
  createdAt: Date;
}

export interface SeriesFilter {
  stack?: string;
  environment?: string;
  component?: string;
  stackConfig?: string;
  node?: string;
  metric?: string;
}

interface SeriesRow {
  id: string;
  labels: SeriesLabels;
  created_at: Date;
}

const toRecord = (row: SeriesRow): SeriesRecord => ({ id: row.id, labels: row.labels, createdAt: row.created_at });

/** The only code that reads or writes series identities. */
@Injectable()
export class SeriesRepository {
  constructor(@Inject(dataSourceToken(METRICS_INGEST_SERVICE)) private readonly dataSource: DataSource) {}

  /**
   * Returns the series of each label set, creating the missing ones. Creation commits on its own:
   * a series identity is not data, and a later failed batch leaves nothing wrong behind. New rows
   * are inserted in one order so concurrent writers cannot deadlock on them.
   */
  async resolve(labelSets: readonly SeriesLabels[]): Promise<SeriesRecord[]> {
    const payload = JSON.stringify(labelSets.map(storedLabels));
    await this.dataSource.query(
      `INSERT INTO "${schema}".series (labels, stack, environment, component, stack_config, node, metric)
       SELECT l, l->>'stack', l->>'environment', l->>'component', l->>'stackConfig', l->>'node', l->>'metric'
       FROM (SELECT DISTINCT l FROM jsonb_array_elements($1::jsonb) AS l) AS candidates
       ORDER BY l
       ON CONFLICT (labels) DO NOTHING`,
      [payload],
    );
    const rows: SeriesRow[] = await this.dataSource.query(
      `SELECT id::text AS id, labels, created_at FROM "${schema}".series WHERE labels IN (SELECT jsonb_array_elements($1::jsonb))`,
      [payload],
    );
    return rows.map(toRecord);
  }

  async findById(id: string): Promise<SeriesRecord | null> {
    const rows: SeriesRow[] = await this.dataSource.query(`SELECT id::text AS id, labels, created_at FROM "${schema}".series WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Keyset pagination by id, filtered on the fixed label columns. */
  async search(filter: SeriesFilter, limit: number, afterId: string | undefined): Promise<{ items: SeriesRecord[]; nextCursor: string | null }> {
    const columns: Array<[keyof SeriesFilter, string]> = [
      ['stack', 'stack'],
      ['environment', 'environment'],
      ['component', 'component'],
      ['stackConfig', 'stack_config'],
      ['node', 'node'],
      ['metric', 'metric'],
    ];
    const conditions: string[] = [];
    const parameters: unknown[] = [];
    for (const [field, column] of columns) {
      const value = filter[field];
      if (value !== undefined) {
        parameters.push(value);
        conditions.push(`${column} = $${parameters.length}`);
      }
    }
    if (afterId !== undefined) {
      parameters.push(afterId);
      conditions.push(`id > $${parameters.length}`);
    }
    parameters.push(limit + 1);
    // `series.id`, not the text alias `id`: ids sort as numbers ('9' before '10'), as the cursor compares them.
    const rows: SeriesRow[] = await this.dataSource.query(
      `SELECT id::text AS id, labels, created_at FROM "${schema}".series
       ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
       ORDER BY series.id LIMIT $${parameters.length}`,
      parameters,
    );
    const hasMore = rows.length > limit;
    const items = (hasMore ? rows.slice(0, limit) : rows).map(toRecord);
    return { items, nextCursor: hasMore ? (items[items.length - 1]?.id ?? null) : null };
  }
}
