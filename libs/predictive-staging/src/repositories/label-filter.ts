/** Filters on the series labels every stored anomaly and forecast carries. */
export interface LabelFilter {
  seriesId?: string;
  stack?: string;
  environment?: string;
  component?: string;
  stackConfig?: string;
  metric?: string;
}

const LABEL_COLUMNS: ReadonlyArray<[keyof LabelFilter, string]> = [
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
    for (const [field, column] of LABEL_COLUMNS) {
      const value = filter[field];
      if (value !== undefined) this.add((p) => `${column} = ${p}`, value);
    }
    return this;
  }

  /** Keyset pagination, newest first: rows with an id below the previous page's last. */
  before(id: string | undefined): this {
    return id === undefined ? this : this.add((p) => `id < ${p}`, id);
  }

  get sql(): string {
    return this.conditions.length > 0 ? `WHERE ${this.conditions.join(' AND ')}` : '';
  }

  /** Appends the LIMIT parameter (one more than a page, to know whether another follows). */
  limitPlaceholder(limit: number): string {
    this.parameters.push(limit + 1);
    return `$${this.parameters.length}`;
  }
}

export interface Page<T extends { id: string }> {
  items: T[];
  nextCursor: string | null;
}

export function toPage<T extends { id: string }>(rows: readonly T[], limit: number): Page<T> {
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : [...rows];
  return { items, nextCursor: hasMore ? (items[items.length - 1]?.id ?? null) : null };
}
