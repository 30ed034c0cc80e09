import { quoteIdentifier } from './catalog-ddl';
import { parameterColumns, type ParameterSource } from './parameter-columns';
import type { SqlRunner } from './production-catalog';
import { type ColumnCatalog, parameterCount } from './sql-tree';

/** The values a normalised statement was replayed with, stored on its measurement so the figures can be explained. */
export interface ParameterValues {
  /** What each `$n` stands for, `$1` first: `orders.customer_id` (sampled from the copy), `LIMIT` or `OFFSET`. */
  readonly parameters: readonly string[];
  /** One value set per timed run (warm-ups reuse them in turn), the same before and after the candidate. */
  readonly valueSets: readonly (readonly string[])[];
}

export type Binding = { readonly kind: 'literal' } | { readonly kind: 'bound'; readonly values: ParameterValues } | { readonly kind: 'unmeasurable'; readonly reason: string };

type ColumnSource = Extract<ParameterSource, { kind: 'column' }>;

const BOUND_ORDER = { low: 0, equal: 1, high: 2 } as const;

/**
 * Binds each `$n` of a normalised statement to values of the staging copy itself: the column it is
 * compared with (parameter-columns) is sampled for existing non-null values, `sets` value sets,
 * chosen reproducibly (rows ordered by md5 of their ctid), so every replay of the statement reads
 * rows that exist. Parameters on one column get one sampled row each, ordered so a lower bound
 * is never above an upper one. A literal statement (or one PostgreSQL will refuse anyway) is
 * replayed as it is; a parameter without a partner column makes it unmeasurable, with the reason.
 */
export async function bindParameters(db: SqlRunner, sql: string, sets: number, catalog: ColumnCatalog): Promise<Binding> {
  let count: number;
  try {
    count = await parameterCount(sql);
  } catch {
    return { kind: 'literal' };
  }
  if (count === 0) return { kind: 'literal' };
  const mapping = await parameterColumns(sql, catalog);
  if (!mapping.mappable) return { kind: 'unmeasurable', reason: mapping.reason };
  const valueSets: string[][] = Array.from({ length: sets }, () => []);
  const byColumn = new Map<string, ColumnSource[]>();
  for (const source of mapping.sources) {
    if (source.kind !== 'column') {
      for (const values of valueSets) values[source.parameter - 1] = String(source.value);
      continue;
    }
    const key = `${source.table}.${source.column}`;
    byColumn.set(key, [...(byColumn.get(key) ?? []), source]);
  }
  for (const [key, sources] of byColumn) {
    const ordered = [...sources].sort((a, b) => BOUND_ORDER[a.bound] - BOUND_ORDER[b.bound] || a.parameter - b.parameter);
    const groups = await sampleGroups(db, ordered[0], ordered.length, sets);
    if (typeof groups === 'string') return { kind: 'unmeasurable', reason: `$${ordered[0].parameter} is compared with ${key}: ${groups}` };
    valueSets.forEach((values, position) => {
      const group = groups[position % groups.length];
      ordered.forEach((source, index) => (values[source.parameter - 1] = group[Math.min(index, group.length - 1)]));
    });
  }
  const parameters = mapping.sources.map((source) => (source.kind === 'column' ? `${source.table}.${source.column}` : source.kind.toUpperCase()));
  return { kind: 'bound', values: { parameters, valueSets } };
}

/** `sets` groups of `size` distinct rows' values of one column, each group in the column's own order; or why there are none. */
async function sampleGroups(db: SqlRunner, source: ColumnSource, size: number, sets: number): Promise<string[][] | string> {
  const column = quoteIdentifier(source.column);
  let rows: Record<string, unknown>[];
  try {
    ({ rows } = await db.query(
      `WITH picked AS (SELECT ${column} AS v, md5(ctid::text) AS h FROM ${quoteIdentifier(source.table)} WHERE ${column} IS NOT NULL ORDER BY h LIMIT ${size * sets})
       SELECT ((row_number() OVER (ORDER BY h) - 1) / ${size})::int AS grp, v::text AS value FROM picked ORDER BY grp${size > 1 ? ', picked.v' : ''}`,
    ));
  } catch (error) {
    return `its values could not be sampled from the copy (${(error as Error).message})`;
  }
  if (rows.length === 0) return 'the copy holds no non-null value of it';
  const groups = new Map<number, string[]>();
  for (const row of rows) groups.set(Number(row['grp']), [...(groups.get(Number(row['grp'])) ?? []), String(row['value'])]);
  return [...groups.values()];
}
