import type { KpiSeriesLabels } from '@strata/contracts';
import { EntityManager } from 'typeorm';

/** The series label columns every stored series, anomaly and forecast row carries. */
export const LABEL_COLUMNS = 'series_id, stack, environment, component, stack_config, node, metric';

export interface LabelledRow {
  series_id: string;
  stack: string;
  environment: string;
  component: string;
  stack_config: string | null;
  node: string | null;
  metric: string;
}

export function labelsOf(row: LabelledRow): KpiSeriesLabels {
  return {
    stack: row.stack,
    environment: row.environment,
    component: row.component,
    ...(row.stack_config === null ? {} : { stackConfig: row.stack_config }),
    ...(row.node === null ? {} : { node: row.node }),
    metric: row.metric,
  };
}

/** Parameters for LABEL_COLUMNS, in its order. */
export function labelParameters(seriesId: string, labels: KpiSeriesLabels): unknown[] {
  return [seriesId, labels.stack, labels.environment, labels.component, labels.stackConfig ?? null, labels.node ?? null, labels.metric];
}

/** Filters on the series labels. */
export interface LabelFilter {
  seriesId?: string;
  stack?: string;
  environment?: string;
  component?: string;
  stackConfig?: string;
  metric?: string;
}

const FILTER_COLUMNS: ReadonlyArray<[keyof LabelFilter, string]> = [
  ['seriesId', 'series_id'],
  ['stack', 'stack'],
  ['environment', 'environment'],
  ['component', 'component'],
  ['stackConfig', 'stack_config'],
  ['metric', 'metric'],
];

/** A WHERE clause built one condition at a time, with numbered parameters. */
export class WhereClause {
  private readonly conditions: string[] = [];
  readonly parameters: unknown[] = [];

  add(sql: (placeholder: string) => string, value: unknown): this {
    this.parameters.push(value);
    this.conditions.push(sql(`$${this.parameters.length}`));
    return this;
  }

  labels(filter: LabelFilter): this {
    for (const [field, column] of FILTER_COLUMNS) {
      const value = filter[field];
      if (value !== undefined) this.add((p) => `${column} = ${p}`, value);
    }
    return this;
  }

  /** A time column within [from, to). */
  between(column: string, range: { from?: number; to?: number }): this {
    if (range.from !== undefined) this.add((p) => `${column} >= ${p}`, new Date(range.from));
    if (range.to !== undefined) this.add((p) => `${column} < ${p}`, new Date(range.to));
    return this;
  }

  get sql(): string {
    return this.conditions.length > 0 ? `WHERE ${this.conditions.join(' AND ')}` : '';
  }
}

export interface Page<T extends { id: string }> {
  items: T[];
  nextCursor: string | null;
}

/** Reads of one table of id-keyed rows: by id, and pages newest first by id (keyset). */
export class IdKeyedTable<TRow, TRecord extends { id: string }> {
  constructor(
    private readonly table: string,
    private readonly columns: string,
    private readonly toRecord: (row: TRow) => TRecord,
  ) {}

  async findById(manager: EntityManager, id: string): Promise<TRecord | null> {
    const rows = (await manager.query(`SELECT ${this.columns} FROM ${this.table} WHERE id = $1`, [id])) as TRow[];
    return rows[0] ? this.toRecord(rows[0]) : null;
  }

  /** `beforeId` is the previous page's cursor: the id of its last row. */
  async page(manager: EntityManager, where: WhereClause, limit: number, beforeId: string | undefined): Promise<Page<TRecord>> {
    if (beforeId !== undefined) where.add((p) => `id < ${p}`, beforeId);
    // One row more than a page tells whether another page follows. The table's id, not the columns'
    // text alias `id`: ids sort as numbers ('10' before '9', newest first), as the cursor compares them.
    const parameters = [...where.parameters, limit + 1];
    const rows = (await manager.query(`SELECT ${this.columns} FROM ${this.table} ${where.sql} ORDER BY ${this.table}.id DESC LIMIT $${parameters.length}`, parameters)) as TRow[];
    const hasMore = rows.length > limit;
    const items = (hasMore ? rows.slice(0, limit) : rows).map(this.toRecord);
    return { items, nextCursor: hasMore ? (items[items.length - 1]?.id ?? null) : null };
  }

  /** The inserted row as a record (the statement must end in `RETURNING ${columns}`). */
  async insertReturning(manager: EntityManager, sql: string, parameters: unknown[]): Promise<TRecord> {
    const rows = (await manager.query(sql, parameters)) as TRow[];
    if (!rows[0]) throw new Error(`insert into ${this.table} returned no row`);
    return this.toRecord(rows[0]);
  }
}
