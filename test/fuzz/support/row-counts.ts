import { Client } from 'pg';

export type RowCounts = Map<string, number>;

/** Row counts of every table of every service schema (partitions count in their parent). */
export class RowCounter {
  private statement: string | undefined;

  constructor(private readonly client: Client) {}

  async count(): Promise<RowCounts> {
    this.statement ??= await this.buildStatement();
    const result = await this.client.query<{ name: string; rows: number }>(this.statement);
    return new Map(result.rows.map((row) => [row.name, row.rows]));
  }

  private async buildStatement(): Promise<string> {
    const tables = await this.client.query<{ schema: string; name: string }>(
      `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
        ORDER BY 1, 2`,
    );
    if (tables.rows.length === 0) {
      throw new Error('no service tables found: were the migrations run?');
    }
    return tables.rows
      .map(({ schema, name }) => `SELECT '${schema}.${name}' AS name, count(*)::int AS rows FROM "${schema}"."${name}"`)
      .join(' UNION ALL ');
  }
}

export function changedTables(before: RowCounts, after: RowCounts): string[] {
  return [...after].filter(([name, rows]) => before.get(name) !== rows).map(([name, rows]) => `${name} ${before.get(name)}→${rows}`);
}
