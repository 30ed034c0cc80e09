import { parse } from 'libpg-query';
import { type ColumnCatalog, type ColumnUse, collectFrom, columnOf, conjuncts, type Scope, type SqlNode as Node } from '@strata/predictive-staging/staging';

export type { ColumnCatalog } from '@strata/predictive-staging/staging';

/** What one table contributes to a query's plan: the columns an index could serve, by role. */
export interface TableAccess {
  readonly table: string;
  /** `col = value` and `col IN (…)`: any order inside the leading columns of an index serves them. */
  readonly equality: readonly string[];
  /** `<`, `<=`, `>`, `>=`, BETWEEN: only the first one after the equality columns narrows a B-tree scan. */
  readonly range: readonly string[];
  /** Columns joined to another table's column: an index on them serves a nested-loop lookup. */
  readonly join: readonly string[];
  /** ORDER BY keys on this table, in order (only useful when every key is on this one table). */
  readonly order: readonly string[];
}

const RANGE_OPERATORS = new Set(['<', '<=', '>', '>=']);

/**
 * The index-relevant shape of one SELECT, parsed with PostgreSQL's own parser (libpg-query): the
 * equality, range, join and sort columns per table. Other statements, set operations and
 * predicates an index cannot serve (OR, functions of a column, `<>`) contribute nothing.
 */
export async function queryShape(sql: string, catalog: ColumnCatalog = new Map()): Promise<TableAccess[]> {
  const statements = ((await parse(sql)) as { stmts?: { stmt: Node }[] }).stmts ?? [];
  const select = statements.length === 1 ? (statements[0].stmt['SelectStmt'] as Node | undefined) : undefined;
  if (!select || select['op'] !== 'SETOP_NONE') {
    return [];
  }
  const scope: Scope = new Map();
  const joinQuals: Node[] = [];
  for (const item of (select['fromClause'] as Node[] | undefined) ?? []) {
    collectFrom(item, scope, joinQuals);
  }
  const accesses = new Map<string, { equality: Set<string>; range: Set<string>; join: Set<string>; order: string[] }>();
  const access = (table: string) => {
    const existing = accesses.get(table);
    if (existing) return existing;
    const created = { equality: new Set<string>(), range: new Set<string>(), join: new Set<string>(), order: [] as string[] };
    accesses.set(table, created);
    return created;
  };
  for (const table of new Set(scope.values())) access(table);
  const resolve = (node: unknown) => columnOf(node, scope, catalog);
  for (const predicate of [select['whereClause'], ...joinQuals].flatMap(conjuncts)) {
    classify(predicate, resolve, access);
  }
  const sortKeys = ((select['sortClause'] as Node[] | undefined) ?? []).map((sort) => resolve((sort['SortBy'] as Node)['node']));
  const sortTables = new Set(sortKeys.map((key) => key?.table));
  const [sortTable] = sortTables;
  if (sortKeys.length > 0 && sortTables.size === 1 && sortTable !== undefined) {
    access(sortTable).order.push(...sortKeys.map((key) => key?.column ?? ''));
  }
  return [...accesses].map(([table, found]) => ({ table, equality: [...found.equality], range: [...found.range].filter((column) => !found.equality.has(column)), join: [...found.join], order: found.order }));
}

/** A literal, a parameter ($1) or an expression of them: a value fixed for the whole scan. */
function isValue(node: unknown): boolean {
  if (!node || typeof node !== 'object') return false;
  const [kind, body] = Object.entries(node as Node)[0] ?? [];
  if (kind === 'A_Const' || kind === 'ParamRef' || kind === 'SQLValueFunction') return true;
  if (kind === 'TypeCast') return isValue((body as Node)['arg']);
  if (kind === 'FuncCall') return ((body as Node)['args'] as unknown[] | undefined ?? []).every(isValue);
  if (kind === 'A_Expr') return isValue((body as Node)['lexpr']) && isValue((body as Node)['rexpr']);
  if (kind === 'List') return ((body as Node)['items'] as unknown[]).every(isValue);
  return false;
}

type Access = (table: string) => { equality: Set<string>; range: Set<string>; join: Set<string> };

function classify(predicate: Node, resolve: (node: unknown) => ColumnUse | undefined, access: Access): void {
  const expression = predicate['A_Expr'] as Node | undefined;
  if (!expression) return;
  const operator = String(((expression['name'] as Node[] | undefined)?.[0]?.['String'] as Node | undefined)?.['sval'] ?? '');
  const left = resolve(expression['lexpr']);
  const right = resolve(expression['rexpr']);
  const kind = expression['kind'];
  if (kind === 'AEXPR_OP' && operator === '=' && left && right && left.table !== right.table) {
    access(left.table).join.add(left.column);
    access(right.table).join.add(right.column);
    return;
  }
  // `value op column` is `column op' value`: the column side decides, the operator is mirrored.
  const column = left && isValue(expression['rexpr']) ? left : right && isValue(expression['lexpr']) ? right : undefined;
  if (!column) return;
  if ((kind === 'AEXPR_OP' && operator === '=') || (kind === 'AEXPR_IN' && operator === '=')) {
    access(column.table).equality.add(column.column);
  } else if ((kind === 'AEXPR_OP' && RANGE_OPERATORS.has(operator)) || kind === 'AEXPR_BETWEEN') {
    access(column.table).range.add(column.column);
  }
}
