import { parse } from 'libpg-query';
import { quoteIdentifier } from './catalog-ddl';

/**
 * The relation names a statement reads or writes, as `to_regclass` takes them (quoted where needed,
 * schema-qualified when the statement qualifies them), found with PostgreSQL's own parser. CTE
 * names come out too: resolving against the catalog drops them. A statement that does not parse
 * contributes nothing (it is reported when it is replayed).
 */
export async function tablesTouched(statements: readonly string[]): Promise<string[]> {
  const names = new Set<string>();
  for (const statement of statements) {
    let tree: unknown;
    try {
      tree = await parse(statement);
    } catch {
      continue;
    }
    collect(tree, names);
  }
  return [...names].sort();
}

/** A RangeVar: wrapped as `{ RangeVar: … }` in FROM lists, bare as the `relation` of INSERT, UPDATE and DELETE. */
function collect(node: unknown, names: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) collect(item, names);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const { schemaname, relname, relpersistence } = node as { schemaname?: string; relname?: unknown; relpersistence?: unknown };
  if (typeof relname === 'string' && relpersistence !== undefined) {
    names.add(schemaname ? `${quoteIdentifier(schemaname)}.${quoteIdentifier(relname)}` : quoteIdentifier(relname));
  }
  for (const value of Object.values(node)) collect(value, names);
}
