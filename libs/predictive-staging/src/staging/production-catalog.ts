import { StagingDatabaseError } from './connections';
import type { CatalogColumn, CatalogEnum, CatalogTable } from './catalog-ddl';

/** The one thing read from a database here: pg's Client and Pool both fit. */
export interface SqlRunner {
  query(sql: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** What to copy: named tables (`schema.table` or a bare name), the tables some statements read, whole schemas. */
export interface TableSelection {
  readonly tables?: readonly string[];
  /** Names read from statements (CTE names among them): those that are no table are skipped. */
  readonly touched?: readonly string[];
  readonly schemas?: readonly string[];
}

/**
 * The oids of the ordinary tables selected, names resolved the way production resolves them (the
 * connection's own search_path: call this before readCatalog empties it). A named table that does
 * not exist is an error naming it.
 */
export async function selectTables(db: SqlRunner, selection: TableSelection): Promise<number[]> {
  const oids = new Set<number>();
  const resolve = async (name: string) => (await db.query(`SELECT c.oid FROM pg_class c WHERE c.oid = to_regclass($1) AND c.relkind = 'r'`, [name])).rows[0]?.['oid'];
  for (const name of selection.tables ?? []) {
    const oid = await resolve(name);
    if (oid === undefined) throw new StagingDatabaseError('tables', `tables: '${name}' is not a table of the production database`);
    oids.add(Number(oid));
  }
  for (const name of selection.touched ?? []) {
    const oid = await resolve(name);
    if (oid !== undefined) oids.add(Number(oid));
  }
  if (selection.schemas && selection.schemas.length > 0) {
    const { rows } = await db.query(`SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = ANY($1::text[])`, [selection.schemas]);
    for (const row of rows) oids.add(Number(row['oid']));
  }
  return [...oids].sort((a, b) => a - b);
}

/** The tables' definitions, read with an empty search_path so every non-catalog name comes qualified. */
export async function readCatalog(db: SqlRunner, oids: readonly number[]): Promise<{ tables: CatalogTable[]; enums: CatalogEnum[] }> {
  await db.query(`SET search_path = ''`);
  const { rows: tableRows } = await db.query(
    `SELECT c.oid, n.nspname AS schema, c.relname AS name, c.reltuples::float8 AS estimated_rows,
            (SELECT json_build_object('name', k.conname, 'definition', pg_get_constraintdef(k.oid)) FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p') AS primary_key,
            coalesce((SELECT json_agg(json_build_object('name', i.relname, 'definition', pg_get_indexdef(x.indexrelid)) ORDER BY i.relname)
                        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = c.oid AND NOT x.indisprimary), '[]') AS indexes
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = ANY($1::oid[]) ORDER BY n.nspname, c.relname`,
    [oids],
  );
  const { rows: columnRows } = await db.query(
    `SELECT a.attrelid AS oid, a.attname AS name, a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS "default",
            format_type(CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END, CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END) AS type,
            CASE WHEN b.typnamespace = 'pg_catalog'::regnamespace THEN 'builtin' WHEN b.typtype = 'e' THEN 'enum' ELSE 'other' END AS type_kind,
            CASE WHEN b.typtype = 'e' THEN b.oid END AS enum_oid
       FROM pg_attribute a
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_type base ON base.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
       LEFT JOIN pg_type b ON b.oid = CASE WHEN base.typelem <> 0 AND base.typcategory = 'A' THEN base.typelem ELSE base.oid END
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.attgenerated = ''
      WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attrelid, a.attnum`,
    [oids],
  );
  const enumOids = [...new Set(columnRows.filter((row) => row['enum_oid'] !== null).map((row) => Number(row['enum_oid'])))];
  const { rows: enumRows } = await db.query(
    `SELECT n.nspname AS schema, t.typname AS name, array(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = ANY($1::oid[]) ORDER BY n.nspname, t.typname`,
    [enumOids],
  );
  const tables = tableRows.map((row): CatalogTable => ({
    schema: String(row['schema']),
    name: String(row['name']),
    estimatedRows: Number(row['estimated_rows']),
    primaryKey: (row['primary_key'] as CatalogTable['primaryKey']) ?? null,
    indexes: row['indexes'] as CatalogTable['indexes'],
    columns: columnRows.filter((column) => Number(column['oid']) === Number(row['oid'])).map(toColumn),
  }));
  return { tables, enums: enumRows.map((row) => ({ schema: String(row['schema']), name: String(row['name']), labels: row['labels'] as string[] })) };
}

function toColumn(row: Record<string, unknown>): CatalogColumn {
  return {
    name: String(row['name']),
    type: String(row['type']),
    notNull: row['not_null'] === true,
    default: row['default'] === null ? null : String(row['default']),
    typeKind: row['type_kind'] as CatalogColumn['typeKind'],
  };
}
