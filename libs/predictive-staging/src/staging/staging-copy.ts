import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import {
  type CatalogTable,
  createEnumSql,
  createSchemaSql,
  createTableSql,
  DEFAULT_SAMPLE,
  keyAndIndexSql,
  qualifiedName,
  quoteIdentifier,
  sampleSelectSql,
  type SampleOptions,
  samplePlan,
  unsupportedColumns,
  validateSampleOptions,
} from './catalog-ddl';
import { connect, type ProductionDatabase, redactUrl, StagingDatabaseError, urlOf, withDatabase } from './connections';
import { readCatalog, selectTables } from './production-catalog';
import { tablesTouched } from './tables-touched';

export interface StagingCopyOptions {
  /** The server the copy is created on (any database URL of it; needs CREATEDB); default: production's server. */
  readonly stagingServerUrl?: string;
  /** Copy the tables these statements touch (the captured queries). */
  readonly queries?: readonly string[];
  /** Copy these tables (`schema.table` or a name in production's search_path); each must exist. */
  readonly tables?: readonly string[];
  /** Copy every table of these schemas. With none of the three: every table of production's current schema. */
  readonly schemas?: readonly string[];
  readonly sample?: Partial<SampleOptions>;
}

export interface CopiedTable {
  /** `schema.table`. */
  readonly table: string;
  readonly rows: number;
  /** Production's row estimate (pg_class.reltuples, or a count when never analysed). */
  readonly productionRows: number;
  /** The share requested by the sample plan, in percent; 100 when copied whole. */
  readonly percent: number;
}

export interface StagingCopy {
  readonly name: string;
  readonly url: string;
  readonly tables: readonly CopiedTable[];
  /** Drops the database (connections still open on it are terminated); safe to call twice. */
  drop(): Promise<void>;
}

/**
 * A new database `strata_staging_<id>` holding production's selected tables (columns, types,
 * NOT NULLs, safe defaults, primary keys and every index as pg_get_indexdef gives it), a sample of
 * their rows streamed over COPY in production's snapshot, and fresh statistics. The database is
 * dropped when anything fails after it was created; the caller drops it with `drop()` otherwise.
 */
export async function createStagingCopy(production: ProductionDatabase, options: StagingCopyOptions = {}): Promise<StagingCopy> {
  const sample: SampleOptions = { ...DEFAULT_SAMPLE, ...options.sample };
  validateSampleOptions(sample);
  const productionUrl = urlOf(production);
  const source = await connect(productionUrl, 'production', 'production database');
  try {
    const searchPath = String((await source.query(`SELECT current_setting('search_path') AS path`)).rows[0]?.['path']);
    const touched = options.queries ? await tablesTouched(options.queries) : [];
    const schemas = options.schemas ?? (options.tables || options.queries ? [] : [String((await source.query('SELECT current_schema() AS name')).rows[0]?.['name'])]);
    const oids = await selectTables(source, { tables: options.tables, touched, schemas });
    if (oids.length === 0) throw new StagingDatabaseError('tables', 'tables: nothing to copy (no table of production matches the queries, tables or schemas given)');
    await source.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const catalog = await readCatalog(source, oids);
    const unsupported = unsupportedColumns(catalog.tables);
    if (unsupported.length > 0) throw new StagingDatabaseError('tables', `tables: the staging copy cannot rebuild the types of ${unsupported.join(', ')}`);
    const serverUrl = options.stagingServerUrl ?? productionUrl;
    const database = await createDatabase(serverUrl, searchPath);
    try {
      const tables = await fill(database.url, source, catalog, sample);
      return { ...database, tables };
    } catch (error) {
      await database.drop();
      throw new Error(`${(error as Error).message} (staging database ${database.name} dropped)`, { cause: error });
    }
  } finally {
    await source.end().catch(() => undefined);
  }
}

async function createDatabase(serverUrl: string, searchPath: string): Promise<Omit<StagingCopy, 'tables'>> {
  const name = `strata_staging_${randomBytes(4).toString('hex')}`;
  const admin = await connect(serverUrl, 'stagingServerUrl', 'staging server');
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    // Statements captured on production name their tables as production's search_path resolves them.
    if (/^[\w$", ]*$/.test(searchPath)) await admin.query(`ALTER DATABASE ${name} SET search_path TO ${searchPath}`);
  } catch (error) {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    throw new StagingDatabaseError('stagingServerUrl', `stagingServerUrl: cannot create the staging database on ${redactUrl(serverUrl)}: ${(error as Error).message}`, { cause: error });
  } finally {
    await admin.end().catch(() => undefined);
  }
  const drop = async () => {
    const dropper = await connect(serverUrl, 'stagingServerUrl', 'staging server');
    try {
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await dropper.end().catch(() => undefined);
    }
  };
  return { name, url: withDatabase(serverUrl, name), drop };
}

/** Schemas, enum types and tables; the rows; then keys, indexes and ANALYZE (building indexes after the load is faster). */
async function fill(url: string, source: Client, catalog: Awaited<ReturnType<typeof readCatalog>>, sample: SampleOptions): Promise<CopiedTable[]> {
  const target = await connect(url, 'stagingServerUrl', 'staging database');
  try {
    const schemas = [...new Set([...catalog.tables.map((table) => table.schema), ...catalog.enums.map((type) => type.schema)])];
    for (const schema of schemas) await target.query(createSchemaSql(schema));
    for (const type of catalog.enums) await target.query(createEnumSql(type));
    const copied: CopiedTable[] = [];
    for (const table of catalog.tables) {
      await target.query(createTableSql(table));
      copied.push(await copyRows(source, target, table, sample));
    }
    for (const table of catalog.tables) {
      for (const statement of keyAndIndexSql(table)) {
        await target.query(statement).catch((error: Error) => {
          throw new Error(`staging copy of ${qualifiedName(table)}: ${statement} failed: ${error.message}`, { cause: error });
        });
      }
    }
    await target.query('ANALYZE');
    return copied;
  } finally {
    await target.end().catch(() => undefined);
  }
}

async function copyRows(source: Client, target: Client, table: CatalogTable, sample: SampleOptions): Promise<CopiedTable> {
  const productionRows = table.estimatedRows >= 0 ? Math.round(table.estimatedRows) : Number((await source.query(`SELECT count(*) AS n FROM ${qualifiedName(table)}`)).rows[0]?.['n']);
  const plan = samplePlan(productionRows, sample);
  const columns = table.columns.map((column) => quoteIdentifier(column.name)).join(', ');
  const sink = target.query(copyFrom(`COPY ${qualifiedName(table)} (${columns}) FROM STDIN (FORMAT binary)`));
  await pipeline(source.query(copyTo(`COPY (${sampleSelectSql(table, plan, sample)}) TO STDOUT (FORMAT binary)`)), sink);
  return { table: `${table.schema}.${table.name}`, rows: sink.rowCount, productionRows, percent: plan.whole ? 100 : plan.percent };
}
