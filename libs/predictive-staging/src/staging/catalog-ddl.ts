/**
 * The staging copy's DDL, rebuilt from catalog rows rather than pg_dump (the embedded PostgreSQL
 * ships no client tools). The rows are read with an empty search_path, so every name that is not
 * in pg_catalog arrives schema-qualified (types, functions in defaults, tables in index
 * definitions) and the statements below mean the same thing whatever the copy's search_path is.
 */

export interface CatalogColumn {
  readonly name: string;
  /** format_type() of the column's type (a domain resolved to its base type). */
  readonly type: string;
  readonly notNull: boolean;
  /** pg_get_expr() of the default, or null. */
  readonly default: string | null;
  /** builtin: a pg_catalog type (or an array of one); enum: rebuilt from pg_enum; other: not rebuilt. */
  readonly typeKind: 'builtin' | 'enum' | 'other';
}

export interface CatalogIndex {
  readonly name: string;
  /** pg_get_indexdef(): `CREATE [UNIQUE] INDEX name ON schema.table USING …`. */
  readonly definition: string;
}

export interface CatalogTable {
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly CatalogColumn[];
  /** The primary key constraint's name and pg_get_constraintdef() (`PRIMARY KEY (id)`), if any. */
  readonly primaryKey: { readonly name: string; readonly definition: string } | null;
  /** Every index but the primary key's (unique constraints' indexes included, under their names). */
  readonly indexes: readonly CatalogIndex[];
  /** pg_class.reltuples: -1 when the table was never analysed. */
  readonly estimatedRows: number;
}

export interface CatalogEnum {
  readonly schema: string;
  readonly name: string;
  readonly labels: readonly string[];
}

export function quoteIdentifier(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function qualifiedName(table: Pick<CatalogTable, 'schema' | 'name'>): string {
  return `${quoteIdentifier(table.schema)}.${quoteIdentifier(table.name)}`;
}

/** `qualifier.name(`: a call of a schema-qualified function (quoted identifiers included). */
const QUALIFIED_CALL = /("(?:[^"]|"")+"|[A-Za-z_][\w$]*)\s*\.\s*(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)\s*\(/g;

/**
 * A default is kept when the copy can evaluate it: not a sequence (`nextval`; the copy has no
 * sequences and never inserts), not a call of a user function (read with an empty search_path,
 * those come qualified by a schema other than pg_catalog). Nothing is inserted on the copy but the
 * copied rows, so a dropped default changes no plan; keeping the others keeps the DDL faithful.
 */
export function isSafeDefault(expression: string): boolean {
  const code = expression.replace(/'(?:[^']|'')*'/g, "''");
  if (/\bnextval\s*\(/i.test(code)) return false;
  return [...code.matchAll(QUALIFIED_CALL)].every((match) => match[1] === 'pg_catalog');
}

/** Columns the copy cannot rebuild, each named: `schema.table.column (type)`. */
export function unsupportedColumns(tables: readonly CatalogTable[]): string[] {
  return tables.flatMap((table) => table.columns.filter((column) => column.typeKind === 'other').map((column) => `${qualifiedName(table)}.${quoteIdentifier(column.name)} (${column.type})`));
}

export function createSchemaSql(schema: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`;
}

export function createEnumSql(type: CatalogEnum): string {
  return `CREATE TYPE ${quoteIdentifier(type.schema)}.${quoteIdentifier(type.name)} AS ENUM (${type.labels.map(quoteLiteral).join(', ')})`;
}

/** The table with its columns, types, NOT NULLs and safe defaults; keys and indexes come after the data. */
export function createTableSql(table: CatalogTable): string {
  const columns = table.columns.map((column) => {
    const parts = [quoteIdentifier(column.name), column.type];
    if (column.default !== null && isSafeDefault(column.default)) parts.push(`DEFAULT ${column.default}`);
    if (column.notNull) parts.push('NOT NULL');
    return parts.join(' ');
  });
  return `CREATE TABLE ${qualifiedName(table)} (${columns.join(', ')})`;
}

/** The primary key, then every other index as production defines it: built after the rows are in, which is faster. */
export function keyAndIndexSql(table: CatalogTable): string[] {
  const statements: string[] = [];
  if (table.primaryKey) statements.push(`ALTER TABLE ${qualifiedName(table)} ADD CONSTRAINT ${quoteIdentifier(table.primaryKey.name)} ${table.primaryKey.definition}`);
  return [...statements, ...table.indexes.map((index) => index.definition)];
}

export type SampleMethod = 'BERNOULLI' | 'SYSTEM';

export interface SampleOptions {
  /** Share of each table's rows to copy, in percent (0 < p ≤ 100). */
  readonly percent: number;
  /** At most this many rows per table (the share is lowered to aim at it; a LIMIT enforces it). */
  readonly maxRowsPerTable: number;
  /** Tables with fewer (estimated) rows are copied whole. */
  readonly wholeBelowRows: number;
  /** BERNOULLI picks rows (even, reads every page); SYSTEM picks pages (fast, clustered). */
  readonly method: SampleMethod;
  /** Makes the sample repeatable (`REPEATABLE (seed)`). */
  readonly seed?: number;
}

export const DEFAULT_SAMPLE: SampleOptions = { percent: 10, maxRowsPerTable: 200_000, wholeBelowRows: 10_000, method: 'BERNOULLI' };

export type SamplePlan = { readonly whole: true } | { readonly whole: false; readonly percent: number; readonly limit: number };

/**
 * How much of a table to read. The row cap lowers the percentage rather than only cutting the scan
 * short: a LIMIT alone keeps the first pages of a physically ordered sample, not a spread. The
 * share aims three standard deviations under the cap, so the LIMIT (a guard) almost never cuts.
 */
export function samplePlan(rows: number, options: SampleOptions): SamplePlan {
  if (rows < options.wholeBelowRows || (options.percent >= 100 && rows <= options.maxRowsPerTable)) return { whole: true };
  const aim = Math.max(1, options.maxRowsPerTable - 3 * Math.sqrt(options.maxRowsPerTable));
  const capped = rows > 0 ? (aim / rows) * 100 : 100;
  return { whole: false, percent: Math.min(options.percent, capped, 100), limit: options.maxRowsPerTable };
}

/** The SELECT whose rows are copied: the sample (or the whole table) in the copy's column order. */
export function sampleSelectSql(table: CatalogTable, plan: SamplePlan, options: Pick<SampleOptions, 'method' | 'seed'>): string {
  const columns = table.columns.map((column) => quoteIdentifier(column.name)).join(', ');
  if (plan.whole) return `SELECT ${columns} FROM ${qualifiedName(table)}`;
  const repeatable = options.seed === undefined ? '' : ` REPEATABLE (${Math.trunc(options.seed)})`;
  return `SELECT ${columns} FROM ${qualifiedName(table)} TABLESAMPLE ${options.method} (${plan.percent})${repeatable} LIMIT ${plan.limit}`;
}

/** Checks the sample options, naming the field that is wrong. */
export function validateSampleOptions(options: SampleOptions): void {
  if (!(options.percent > 0 && options.percent <= 100)) throw new RangeError(`sample.percent must be in (0, 100], got ${options.percent}`);
  if (!(Number.isInteger(options.maxRowsPerTable) && options.maxRowsPerTable > 0)) throw new RangeError(`sample.maxRowsPerTable must be a positive integer, got ${options.maxRowsPerTable}`);
  if (!(Number.isInteger(options.wholeBelowRows) && options.wholeBelowRows >= 0)) throw new RangeError(`sample.wholeBelowRows must be a non-negative integer, got ${options.wholeBelowRows}`);
  if (options.method !== 'BERNOULLI' && options.method !== 'SYSTEM') throw new RangeError(`sample.method must be BERNOULLI or SYSTEM, got ${String(options.method)}`);
}
