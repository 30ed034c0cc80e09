import { quoteIdentifier } from '@strata/predictive-staging/staging';
import type { TableAccess } from './query-shape';

/** One row of pg_stat_statements (or the same figures measured another way). */
export interface QueryStatistic {
  readonly query: string;
  readonly calls: number;
  readonly meanExecTimeMs: number;
}

/** Which statements count as slow: both thresholds must hold. */
export interface SlowQueryThresholds {
  readonly minCalls: number;
  readonly minMeanMs: number;
}

export const DEFAULT_THRESHOLDS: SlowQueryThresholds = { minCalls: 10, minMeanMs: 1 };

export interface ExistingIndex {
  readonly name: string;
  readonly table: string;
  /** Key columns in order; an expression key ends the list (nothing after it can be matched). */
  readonly columns: readonly string[];
}

export interface Candidate {
  readonly table: string;
  readonly columns: readonly string[];
  /** How many leading columns are equality columns (their order among themselves is free). */
  readonly equalityCount: number;
  /** The slow queries this index would serve. */
  readonly queries: readonly string[];
}

export interface CoveredCandidate {
  readonly candidate: Candidate;
  readonly coveredBy: string;
}

export function isSlow(statistic: QueryStatistic, thresholds: SlowQueryThresholds): boolean {
  return statistic.calls >= thresholds.minCalls && statistic.meanExecTimeMs >= thresholds.minMeanMs;
}

/**
 * The indexes one query's shape asks for, per table: its filter (equality columns, then the first
 * range column, or the sort keys when there is no range) and, separately, its join keys — a join
 * is served by an index on the inner side's key alone.
 */
export function candidatesForShape(query: string, shape: readonly TableAccess[]): Candidate[] {
  return shape.flatMap((access) => {
    const found: Candidate[] = [];
    const equality = [...access.equality].sort();
    const tail = access.range.length > 0 ? [access.range[0]] : access.order.filter((column) => !equality.includes(column));
    if (equality.length > 0 || tail.length > 0) {
      found.push({ table: access.table, columns: [...equality, ...tail], equalityCount: equality.length, queries: [query] });
    }
    const join = access.join.filter((column) => !equality.includes(column)).sort();
    if (join.length > 0) {
      found.push({ table: access.table, columns: join, equalityCount: join.length, queries: [query] });
    }
    return found;
  });
}

/** Candidates with the same table and columns are one candidate serving all their queries. */
export function mergeCandidates(candidates: readonly Candidate[]): Candidate[] {
  const merged = new Map<string, Candidate>();
  for (const candidate of candidates) {
    const key = `${candidate.table}(${candidate.columns.join(',')})`;
    const existing = merged.get(key);
    merged.set(key, existing ? { ...existing, queries: [...new Set([...existing.queries, ...candidate.queries])] } : candidate);
  }
  return [...merged.values()];
}

/**
 * The existing index whose leading columns already serve the candidate: its first columns hold the
 * candidate's equality columns in any order, then the candidate's other columns in order.
 */
export function coveringIndex(candidate: Candidate, existing: readonly ExistingIndex[]): ExistingIndex | undefined {
  const equality = new Set(candidate.columns.slice(0, candidate.equalityCount));
  const rest = candidate.columns.slice(candidate.equalityCount);
  return existing.find((index) => {
    if (index.table !== candidate.table || index.columns.length < candidate.columns.length) return false;
    const head = index.columns.slice(0, equality.size);
    const tail = index.columns.slice(equality.size, candidate.columns.length);
    return head.every((column) => equality.has(column)) && tail.every((column, position) => column === rest[position]);
  });
}

/** Splits the merged candidates into those worth evaluating and those an existing index covers. */
export function partitionCovered(candidates: readonly Candidate[], existing: readonly ExistingIndex[]): { open: Candidate[]; covered: CoveredCandidate[] } {
  const open: Candidate[] = [];
  const covered: CoveredCandidate[] = [];
  for (const candidate of candidates) {
    const index = coveringIndex(candidate, existing);
    if (index) covered.push({ candidate, coveredBy: index.name });
    else open.push(candidate);
  }
  return { open, covered };
}

/** A stable, valid index name (at most 63 bytes, PostgreSQL's limit). */
export function indexName(candidate: Pick<Candidate, 'table' | 'columns'>): string {
  return `${candidate.table}_${candidate.columns.join('_')}_idx`.replace(/[^a-z0-9_]/gi, '_').slice(0, 63);
}

export { quoteIdentifier };

export function createIndexSql(candidate: Pick<Candidate, 'table' | 'columns'>, concurrently: boolean): string {
  const columns = candidate.columns.map(quoteIdentifier).join(', ');
  return `CREATE INDEX ${concurrently ? 'CONCURRENTLY ' : ''}${quoteIdentifier(indexName(candidate))} ON ${quoteIdentifier(candidate.table)} (${columns})`;
}
