import { parse } from 'libpg-query';
import type { SqlRunner } from './production-catalog';

/**
 * Helpers over PostgreSQL's own parse tree (libpg-query), shared by the index advisor (which reads
 * a statement's shape) and the staging replay (which binds a normalised statement's parameters).
 */
export type SqlNode = Record<string, unknown>;

/** Tables in a FROM clause by the name a column reference uses (alias or table name). */
export type Scope = Map<string, string>;

/** Resolves an unqualified column when the query reads several tables: table name → its columns. */
export type ColumnCatalog = ReadonlyMap<string, ReadonlySet<string>>;

export interface ColumnUse {
  readonly table: string;
  readonly column: string;
}

/** Adds a FROM item's tables to the scope (joins recursively) and collects the join conditions. */
export function collectFrom(item: SqlNode, scope: Scope, joinQuals: SqlNode[]): void {
  const range = item['RangeVar'] as SqlNode | undefined;
  if (range) {
    const table = String(range['relname']);
    const alias = (range['alias'] as SqlNode | undefined)?.['aliasname'];
    scope.set(typeof alias === 'string' ? alias : table, table);
    return;
  }
  const join = item['JoinExpr'] as SqlNode | undefined;
  if (join) {
    collectFrom(join['larg'] as SqlNode, scope, joinQuals);
    collectFrom(join['rarg'] as SqlNode, scope, joinQuals);
    if (join['quals']) joinQuals.push(join['quals'] as SqlNode);
  }
}

/** The AND-ed parts of a predicate: each can be served on its own. */
export function conjuncts(node: unknown): SqlNode[] {
  if (!node) return [];
  const bool = (node as SqlNode)['BoolExpr'] as SqlNode | undefined;
  if (bool?.['boolop'] === 'AND_EXPR') {
    return (bool['args'] as SqlNode[]).flatMap(conjuncts);
  }
  return [node as SqlNode];
}

/** The table and column a ColumnRef names, through aliases; undefined when it is not one or is ambiguous. */
export function columnOf(node: unknown, scope: Scope, catalog: ColumnCatalog): ColumnUse | undefined {
  const reference = (node as SqlNode | undefined)?.['ColumnRef'] as SqlNode | undefined;
  if (!reference) return undefined;
  const names = (reference['fields'] as SqlNode[]).map((field) => (field['String'] as SqlNode | undefined)?.['sval']);
  if (names.some((name) => typeof name !== 'string')) return undefined;
  const [qualifier, column] = names.length === 2 ? (names as string[]) : [undefined, names.at(-1) as string];
  if (qualifier !== undefined) {
    const table = scope.get(qualifier);
    return table ? { table, column } : undefined;
  }
  const tables = [...new Set(scope.values())];
  const owners = tables.length === 1 ? tables : tables.filter((table) => catalog.get(table)?.has(column));
  return owners.length === 1 ? { table: owners[0], column } : undefined;
}

/** The highest parameter (`$n`) a statement uses, from PostgreSQL's own parse tree; 0 for a literal statement. */
export async function parameterCount(sql: string): Promise<number> {
  let highest = 0;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
    } else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'ParamRef') highest = Math.max(highest, Number((value as { number?: unknown }).number ?? 0));
        visit(value);
      }
    }
  };
  visit(await parse(sql));
  return highest;
}

/** Columns of the tables in the search path: resolves unqualified columns in joins. */
export async function columnCatalog(db: SqlRunner): Promise<Map<string, Set<string>>> {
  const { rows } = await db.query(`SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`);
  const catalog = new Map<string, Set<string>>();
  for (const row of rows) {
    const table = String(row['table_name']);
    catalog.set(table, (catalog.get(table) ?? new Set()).add(String(row['column_name'])));
  }
  return catalog;
}
