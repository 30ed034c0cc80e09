import {
  type Candidate,
  candidatesForShape,
  coveringIndex,
  createIndexSql,
  DEFAULT_THRESHOLDS,
  type ExistingIndex,
  indexName,
  isSlow,
  mergeCandidates,
  partitionCovered,
  type QueryStatistic,
  quoteIdentifier,
  type SlowQueryThresholds,
} from './candidates';
import { Client } from 'pg';
import { columnCatalog, connect, type CopiedTable, createStagingCopy, type ProductionDatabase, type SqlRunner, type StagingCopyOptions, StagingDatabaseError } from '@strata/predictive-staging/staging';
import { explainJson } from './generic-plan';
import { queryShape } from './query-shape';

export type { SqlRunner } from '@strata/predictive-staging/staging';

/**
 * hypopg: hypothetical indexes in the target, nothing built. staging-copy: a sampled copy of the
 * tables the statements touch (`createStagingCopy`), where each candidate is built inside a
 * transaction that is rolled back; the target only gets read.
 */
export type EvaluationPath = 'hypopg' | 'staging-copy';

export interface IndexProposal {
  readonly table: string;
  readonly columns: readonly string[];
  readonly sql: string;
  readonly down: string;
  readonly costBefore: number;
  readonly costAfter: number;
  readonly queries: readonly string[];
  readonly path: EvaluationPath;
}

export interface RejectedCandidate {
  readonly table: string;
  readonly columns: readonly string[];
  readonly queries: readonly string[];
  readonly reason: string;
}

export interface AdvisorOptions {
  readonly thresholds?: SlowQueryThresholds;
  /** Keep a candidate only when the summed planner cost of its queries drops by at least this share. */
  readonly minCostDrop?: number;
  /** Force a path; by default HypoPG when the extension is installed in the database, else the staging copy. */
  readonly path?: EvaluationPath;
  /** The target the staging copy is taken from; default: `db` itself when it is a pg Client. */
  readonly production?: ProductionDatabase;
  /** Where the copy goes and how much it samples (its tables are those the slow statements touch). */
  readonly staging?: Omit<StagingCopyOptions, 'queries'>;
}

export interface AdvisorResult {
  readonly path: EvaluationPath;
  readonly proposals: IndexProposal[];
  readonly rejected: RejectedCandidate[];
  /** On the staging-copy path: the copy the candidates were evaluated on (dropped since). */
  readonly stagingCopy?: { readonly name: string; readonly tables: readonly CopiedTable[] };
}

/**
 * Index proposals for the slow statements among `statistics`, evaluated on `db` (the database the
 * statements ran on, or a copy of it). A normalised statement (`$1`, as pg_stat_statements keeps
 * it) is judged on its generic plan (`explainJson`).
 */
export async function adviseIndexes(db: SqlRunner, statistics: readonly QueryStatistic[], options: AdvisorOptions = {}): Promise<AdvisorResult> {
  const slow = statistics.filter((statistic) => isSlow(statistic, options.thresholds ?? DEFAULT_THRESHOLDS));
  const path = options.path ?? ((await hasHypopg(db)) ? 'hypopg' : 'staging-copy');
  if (path === 'hypopg' || slow.length === 0) return { path, ...(await advise(db, slow, path, options.minCostDrop ?? 0.5)) };
  const production = options.production ?? (db instanceof Client ? db : undefined);
  if (!production) throw new StagingDatabaseError('production', 'production: the staging-copy path needs the target database (a URL or a pg Client) when db is not a pg Client');
  const copy = await createStagingCopy(production, { ...options.staging, queries: slow.map((statistic) => statistic.query) });
  try {
    const staging = await connect(copy.url, 'staging', 'staging database');
    try {
      return { path, ...(await advise(staging, slow, path, options.minCostDrop ?? 0.5)), stagingCopy: { name: copy.name, tables: copy.tables } };
    } finally {
      await staging.end().catch(() => undefined);
    }
  } finally {
    await copy.drop();
  }
}

/** The advisor proper, on the database the candidates are evaluated on (the target with HypoPG, or its staging copy). */
async function advise(db: SqlRunner, slow: readonly QueryStatistic[], path: EvaluationPath, minCostDrop: number): Promise<Pick<AdvisorResult, 'proposals' | 'rejected'>> {
  const catalog = await columnCatalog(db);
  const shapes = await Promise.all(slow.map(async (statistic) => candidatesForShape(statistic.query, await queryShape(statistic.query, catalog))));
  const { open, covered } = partitionCovered(mergeCandidates(shapes.flat()), await existingIndexes(db));
  const rejected: RejectedCandidate[] = covered.map(({ candidate, coveredBy }) => ({ ...describe(candidate), reason: `covered by index ${coveredBy}` }));
  const before = new Map<string, number>();
  const kept: { candidate: Candidate; proposal: IndexProposal }[] = [];
  const failed: { candidate: Candidate; reason: string }[] = [];
  for (const candidate of open) {
    const outcome = await evaluate(db, candidate, { path, minCostDrop, before });
    if ('reason' in outcome) failed.push({ candidate, reason: outcome.reason });
    else kept.push({ candidate, proposal: outcome });
  }
  // Some indexes pay off only beside another: the two sides of a join each halve the cost alone and
  // cut it a hundredfold together. A failed candidate is judged again by what it adds to the kept
  // ones and to the other candidates of its statements.
  for (const entry of [...failed]) {
    const siblings = failed.filter((other) => other !== entry && other.candidate.queries.some((query) => entry.candidate.queries.includes(query)));
    const alongside = [...kept, ...siblings].map(({ candidate }) => candidate);
    if (alongside.length === 0) continue;
    const outcome = await evaluate(db, entry.candidate, { path, minCostDrop, before }, alongside);
    if ('reason' in outcome) continue;
    failed.splice(failed.indexOf(entry), 1);
    kept.push({ candidate: entry.candidate, proposal: outcome });
  }
  rejected.push(...failed.map(({ candidate, reason }) => ({ ...describe(candidate), reason })));
  return { proposals: await absorbPrefixes(db, kept, rejected, { path, minCostDrop, before }), rejected };
}

interface Evaluation {
  readonly path: EvaluationPath;
  readonly minCostDrop: number;
  /** Planner cost of each statement without the candidate, shared by every evaluation. */
  readonly before: Map<string, number>;
}

/** The candidate's effect on its statements, with the `alongside` indexes in place both before and after. */
async function evaluate(db: SqlRunner, candidate: Candidate, { path, minCostDrop, before }: Evaluation, alongside: readonly Candidate[] = []): Promise<IndexProposal | { reason: string }> {
  const plans = await withIndexes(db, [...alongside, candidate], path, (names) => plansOf(db, candidate.queries, names[names.length - 1]));
  // A query served by the index is one whose plan uses it; the others neither gain nor count.
  const served = candidate.queries.filter((_, position) => plans[position].usesIndex);
  if (served.length === 0) {
    return { reason: 'the planner uses it for none of its queries' };
  }
  const costBefore = alongside.length === 0 ? await summedCost(db, served, before) : await withIndexes(db, alongside, path, () => summedCost(db, served, new Map()));
  const costAfter = plans.filter((plan) => plan.usesIndex).reduce((sum, plan) => sum + plan.cost, 0);
  const drop = 1 - costAfter / costBefore;
  if (drop < minCostDrop) {
    return { reason: `planner cost drops only ${Math.round(drop * 100)} % (${round(costBefore)} → ${round(costAfter)}), below ${Math.round(minCostDrop * 100)} %` };
  }
  const down = `DROP INDEX CONCURRENTLY IF EXISTS ${quoteIdentifier(indexName(candidate))}`;
  return { ...describe(candidate), queries: served, sql: createIndexSql(candidate, true), down, costBefore, costAfter, path };
}

/**
 * One index where two would do the work of one: a kept candidate whose columns lead another kept
 * candidate on the same table is dropped when the wider one, evaluated on both their statements,
 * serves them all and still clears the cost bar.
 */
async function absorbPrefixes(db: SqlRunner, kept: { candidate: Candidate; proposal: IndexProposal }[], rejected: RejectedCandidate[], evaluation: Evaluation): Promise<IndexProposal[]> {
  const remaining = [...kept].sort((a, b) => a.candidate.columns.length - b.candidate.columns.length);
  for (const narrow of [...remaining]) {
    const wide = remaining.find((entry) => entry !== narrow && entry.candidate.columns.length > narrow.candidate.columns.length && coveringIndex(narrow.candidate, [{ name: '', ...entry.candidate }]));
    if (!wide) continue;
    const merged = { ...wide.candidate, queries: [...new Set([...wide.proposal.queries, ...narrow.proposal.queries])] };
    const outcome = await evaluate(db, merged, evaluation);
    if ('reason' in outcome || outcome.queries.length < merged.queries.length) continue;
    remaining.splice(remaining.indexOf(narrow), 1);
    wide.proposal = outcome;
    rejected.push({ ...describe(narrow.candidate), reason: `its queries are served as well by proposed index ${indexName(wide.candidate)}` });
  }
  return kept.filter((entry) => remaining.includes(entry)).map((entry) => entry.proposal);
}

function describe(candidate: Candidate): { table: string; columns: readonly string[]; queries: readonly string[] } {
  return { table: candidate.table, columns: candidate.columns, queries: candidate.queries };
}

async function hasHypopg(db: SqlRunner): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'hypopg'`);
  return rows.length > 0;
}

/** Every index of the current schema with its key columns (an expression key ends the list). */
export async function existingIndexes(db: SqlRunner): Promise<ExistingIndex[]> {
  const { rows } = await db.query(
    `SELECT i.relname AS name, t.relname AS "table",
            array(SELECT a.attname FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, position)
                  JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
                  WHERE k.position <= coalesce((SELECT min(z.position) - 1 FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS z(attnum, position) WHERE z.attnum = 0), x.indnkeyatts)
                  ORDER BY k.position)::text[] AS columns
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
      WHERE t.relnamespace = current_schema()::regnamespace AND x.indpred IS NULL`,
  );
  return rows.map((row) => ({ name: String(row['name']), table: String(row['table']), columns: row['columns'] as string[] }));
}

interface PlanSummary {
  readonly cost: number;
  readonly usesIndex: boolean;
}

async function plan(db: SqlRunner, query: string, indexName?: string): Promise<PlanSummary> {
  const [root] = (await explainJson(db, query)) as { Plan: { 'Total Cost': number } }[];
  return { cost: root.Plan['Total Cost'], usesIndex: indexName !== undefined && JSON.stringify(root).includes(`"Index Name":"${indexName}"`) };
}

async function summedCost(db: SqlRunner, queries: readonly string[], cache: Map<string, number>): Promise<number> {
  let total = 0;
  for (const query of queries) {
    const cost = cache.get(query) ?? (await plan(db, query)).cost;
    cache.set(query, cost);
    total += cost;
  }
  return total;
}

async function plansOf(db: SqlRunner, queries: readonly string[], indexName: string): Promise<PlanSummary[]> {
  const plans: PlanSummary[] = [];
  for (const query of queries) plans.push(await plan(db, query, indexName));
  return plans;
}

/** Runs `work` with the indexes in place (hypothetical, or built on the copy in a transaction rolled back after); nothing is left behind. */
async function withIndexes<T>(db: SqlRunner, indexes: readonly Candidate[], path: EvaluationPath, work: (names: string[]) => Promise<T>): Promise<T> {
  if (path === 'hypopg') {
    try {
      const names: string[] = [];
      for (const index of indexes) {
        const { rows } = await db.query(`SELECT indexname FROM hypopg_create_index($1)`, [createIndexSql(index, false)]);
        names.push(String(rows[0]?.['indexname']));
      }
      return await work(names);
    } finally {
      await db.query(`SELECT hypopg_reset()`);
    }
  }
  await db.query('BEGIN');
  try {
    for (const index of indexes) await db.query(createIndexSql(index, false));
    return await work(indexes.map(indexName));
  } finally {
    await db.query('ROLLBACK');
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
