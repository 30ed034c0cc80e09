import { parse } from 'libpg-query';
import { type ColumnCatalog, collectFrom, columnOf, type Scope, type SqlNode } from './sql-tree';

/**
 * Where a parameter of a normalised statement (`… WHERE customer_id = $1`, as pg_stat_statements
 * keeps it) takes its values from when the statement is replayed on the staging copy.
 * `bound` orders the values sampled for one column: a lower bound gets the smaller one, so
 * `BETWEEN $1 AND $2` or `col >= $1 AND col < $2` reads a non-empty range.
 */
export type ParameterSource =
  | { readonly parameter: number; readonly kind: 'column'; readonly table: string; readonly column: string; readonly bound: 'low' | 'equal' | 'high' }
  /** LIMIT and OFFSET: small integers such as a page of an application would use. */
  | { readonly parameter: number; readonly kind: 'limit' | 'offset'; readonly value: number };

export type ParameterMapping = { readonly mappable: true; readonly sources: readonly ParameterSource[] } | { readonly mappable: false; readonly reason: string };

export const REPLAY_LIMIT = 10;
export const REPLAY_OFFSET = 0;

/** Comparisons a sampled value of the partner column makes meaningful, and the side of a range each one bounds. */
const COMPARISONS: Readonly<Record<string, 'low' | 'equal' | 'high'>> = { '=': 'equal', '<>': 'equal', '!=': 'equal', '~~': 'equal', '~~*': 'equal', '<': 'high', '<=': 'high', '>': 'low', '>=': 'low' };
const MIRRORED = { low: 'high', equal: 'equal', high: 'low' } as const;

/** The parameter a node is (through casts such as `$1::int`), if it is one. */
function parameterOf(node: unknown): number | undefined {
  const value = node as SqlNode | undefined;
  const reference = value?.['ParamRef'] as SqlNode | undefined;
  if (reference) return Number(reference['number']);
  const cast = value?.['TypeCast'] as SqlNode | undefined;
  return cast ? parameterOf(cast['arg']) : undefined;
}

function operatorOf(expression: SqlNode): string {
  return String(((expression['name'] as SqlNode[] | undefined)?.[0]?.['String'] as SqlNode | undefined)?.['sval'] ?? '');
}

class Mapper {
  readonly sources = new Map<number, ParameterSource>();
  readonly seen = new Set<number>();
  /** Why a parameter found a partner that is not a usable column, by parameter. */
  readonly why = new Map<number, string>();

  constructor(private readonly catalog: ColumnCatalog) {}

  visit(node: unknown, scope: Scope): void {
    if (Array.isArray(node)) {
      for (const item of node) this.visit(item, scope);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as SqlNode)) {
      const body = value as SqlNode;
      if (key === 'ParamRef') this.seen.add(Number(body['number']));
      else if (key === 'SelectStmt') this.visitSelect(body, scope);
      else if (key === 'UpdateStmt' || key === 'DeleteStmt') this.visitWrite(body, scope);
      else if (key === 'A_Expr') this.visitComparison(body, scope);
      else this.visit(value, scope);
    }
  }

  private visitSelect(select: SqlNode, outer: Scope): void {
    // A subquery sees its own tables first, then (correlated) the enclosing query's.
    const scope: Scope = new Map(outer);
    for (const item of (select['fromClause'] as SqlNode[] | undefined) ?? []) collectFrom(item, scope, []);
    this.page(select['limitCount'], 'limit', REPLAY_LIMIT);
    this.page(select['limitOffset'], 'offset', REPLAY_OFFSET);
    this.visit(Object.values(select), scope);
  }

  private visitWrite(statement: SqlNode, outer: Scope): void {
    const scope: Scope = new Map(outer);
    collectFrom({ RangeVar: statement['relation'] }, scope, []);
    for (const item of [...((statement['fromClause'] as SqlNode[] | undefined) ?? []), ...((statement['usingClause'] as SqlNode[] | undefined) ?? [])]) collectFrom(item, scope, []);
    this.visit(Object.values(statement), scope);
  }

  private page(node: unknown, kind: 'limit' | 'offset', value: number): void {
    const parameter = parameterOf(node);
    if (parameter !== undefined) this.add({ parameter, kind, value });
  }

  private visitComparison(expression: SqlNode, scope: Scope): void {
    const kind = expression['kind'];
    const operator = operatorOf(expression);
    const pair = (parameterNode: unknown, partner: unknown, bound: 'low' | 'equal' | 'high') => {
      const parameter = parameterOf(parameterNode);
      if (parameter === undefined) return;
      const column = columnOf(partner, scope, this.catalog);
      if (column) this.add({ parameter, kind: 'column', ...column, bound });
      else this.why.set(parameter, describePartner(partner));
    };
    if (kind === 'AEXPR_OP' && operator in COMPARISONS) {
      pair(expression['rexpr'], expression['lexpr'], COMPARISONS[operator]);
      pair(expression['lexpr'], expression['rexpr'], MIRRORED[COMPARISONS[operator]]);
    } else if (kind === 'AEXPR_IN') {
      for (const item of listItems(expression['rexpr'])) pair(item, expression['lexpr'], 'equal');
    } else if (kind === 'AEXPR_BETWEEN' || kind === 'AEXPR_NOT_BETWEEN' || kind === 'AEXPR_BETWEEN_SYM' || kind === 'AEXPR_NOT_BETWEEN_SYM') {
      const [low, high] = listItems(expression['rexpr']);
      pair(low, expression['lexpr'], 'low');
      pair(high, expression['lexpr'], 'high');
    }
    this.visit([expression['lexpr'], expression['rexpr']], scope);
  }

  private add(source: ParameterSource): void {
    if (!this.sources.has(source.parameter)) this.sources.set(source.parameter, source);
  }
}

function listItems(node: unknown): unknown[] {
  const list = (node as SqlNode | undefined)?.['List'] as SqlNode | undefined;
  return list ? ((list['items'] as unknown[] | undefined) ?? []) : [node];
}

function describePartner(partner: unknown): string {
  const reference = (partner as SqlNode | undefined)?.['ColumnRef'] as SqlNode | undefined;
  if (!reference) return 'is compared with an expression, not a column';
  const names = (reference['fields'] as SqlNode[]).map((field) => (field['String'] as SqlNode | undefined)?.['sval'] ?? '*');
  return names.length === 1 ? `is compared with ${names[0]}, which no single table the statement reads is known to have` : `is compared with ${names.join('.')}, whose table is not one the statement reads by that name`;
}

/**
 * Maps each `$n` of a statement to the column it is compared with (`col = $1`, `$1 = col`,
 * `col IN ($1, $2)`, `col < $1`, BETWEEN; the table found through aliases, an unqualified column
 * through the catalog when several tables are read) or to LIMIT / OFFSET. A statement without
 * parameters maps to no sources; one with a parameter that has no partner column is not mappable,
 * and the reason names it.
 */
export async function parameterColumns(sql: string, catalog: ColumnCatalog = new Map()): Promise<ParameterMapping> {
  const mapper = new Mapper(catalog);
  mapper.visit(await parse(sql), new Map());
  const highest = Math.max(0, ...mapper.seen);
  for (let parameter = 1; parameter <= highest; parameter++) {
    if (!mapper.sources.has(parameter)) {
      const why = mapper.seen.has(parameter) ? (mapper.why.get(parameter) ?? 'is not compared with a column') : 'is never used';
      return { mappable: false, reason: `$${parameter} ${why}: no value of the copy can stand for it` };
    }
  }
  return { mappable: true, sources: [...mapper.sources.values()].sort((a, b) => a.parameter - b.parameter) };
}
