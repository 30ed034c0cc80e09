import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';
import { type Binding, bindParameters, type ParameterValues } from './bind-parameters';
import { quoteLiteral } from './catalog-ddl';
import { connect } from './connections';
import { isWrite, median, planShape, type TrimmedPlan, trimPlan, usesAnyIndex } from './plan-summary';
import { columnCatalog } from './sql-tree';
import type { StagingCopy } from './staging-copy';
import { DEFAULT_VALIDATION_RULE, isMeasured, judgeMeasurements, type MeasuredStatement, type PhaseMeasurement, reduction, type StatementMeasurement, type ValidationRule } from './validation-rule';

export interface MeasureOptions {
  /** Untimed runs of each statement before the timed ones (caches warm, plans settled). Default 1. */
  readonly warmups?: number;
  /** Timed runs of each statement per phase; the median counts. Default 5. */
  readonly runs?: number;
  readonly rule?: Partial<ValidationRule>;
  /** Per statement run on the copy. Default 30 s. */
  readonly statementTimeoutMs?: number;
  /** Leave the candidate's indexes on the copy (default: dropped, so the next candidate starts from the same copy). */
  readonly keep?: boolean;
}

export interface CandidateMeasurement {
  readonly candidate: readonly string[];
  /** The indexes the candidate created on the copy. */
  readonly indexes: readonly string[];
  readonly statements: readonly StatementMeasurement[];
  /** Over every statement measured: 1 − Σ median after ÷ Σ median before, and the same of planner costs. */
  readonly timeReduction: number;
  readonly costReduction: number;
  readonly validated: boolean;
  readonly reason: string;
  readonly rule: ValidationRule;
}

/**
 * Replays each statement with EXPLAIN (ANALYZE, BUFFERS) before and after applying the candidate
 * (one or more `CREATE INDEX` statements, CONCURRENTLY or not) on the staging copy, and judges the
 * measurements. Each run is rolled back, so a captured write changes nothing between runs. A
 * statement that fails on the copy is reported with its error; only a failing candidate throws.
 */
export async function measureCandidate(staging: Pick<StagingCopy, 'url'> | string, candidate: string | readonly string[], queries: readonly string[], options: MeasureOptions = {}): Promise<CandidateMeasurement> {
  const rule: ValidationRule = { ...DEFAULT_VALIDATION_RULE, ...options.rule };
  const candidateSql = typeof candidate === 'string' ? [candidate] : [...candidate];
  const replay = { warmups: options.warmups ?? 1, runs: options.runs ?? 5 };
  if (!Number.isInteger(replay.runs) || replay.runs < 1) throw new RangeError(`runs must be a positive integer, got ${replay.runs}`);
  if (!Number.isInteger(replay.warmups) || replay.warmups < 0) throw new RangeError(`warmups must be a non-negative integer, got ${replay.warmups}`);
  const db = await connect(typeof staging === 'string' ? staging : staging.url, 'staging', 'staging database');
  try {
    await db.query(`SET statement_timeout = ${Math.trunc(options.statementTimeoutMs ?? 30_000)}`);
    // A normalised statement's parameters are bound once, so the runs before and after the candidate read the same rows.
    const catalog = await columnCatalog(db);
    const bindings: Binding[] = [];
    for (const sql of queries) bindings.push(await bindParameters(db, sql, replay.runs, catalog));
    const before: (PhaseMeasurement | Error)[] = [];
    for (const [position, sql] of queries.entries()) before.push(await measurePhase(db, sql, replay, 'BEGIN', bindings[position]));
    const indexes = await applyCandidate(db, candidateSql);
    try {
      const after: (PhaseMeasurement | Error)[] = [];
      for (const [position, sql] of queries.entries()) after.push(await measurePhase(db, sql, replay, 'BEGIN', bindings[position]));
      const statements = queries.map((sql, position) => withParameters(compare(sql, before[position], after[position], new Set(indexes.map((index) => index.name))), bindings[position]));
      const measured = statements.filter(isMeasured);
      const sum = (pick: (statement: MeasuredStatement) => number) => measured.reduce((total, statement) => total + pick(statement), 0);
      const verdict = judgeMeasurements(statements, rule);
      return {
        candidate: candidateSql,
        indexes: indexes.map((index) => index.name),
        statements,
        timeReduction: reduction(sum((s) => s.before.medianMs), sum((s) => s.after.medianMs)),
        costReduction: reduction(sum((s) => s.before.cost), sum((s) => s.after.cost)),
        ...verdict,
        rule,
      };
    } finally {
      if (!options.keep) await dropIndexes(db, indexes);
    }
  } finally {
    await db.end().catch(() => undefined);
  }
}

/**
 * Replays each statement with EXPLAIN (ANALYZE, BUFFERS) on a connected database, each run in a
 * READ ONLY transaction rolled back: on production a captured write is refused, never run. A
 * normalised statement is executed with the value sets staging used for it (`parameters`, by
 * position; values of the copy, so rows production holds too), none given → PostgreSQL's error. A
 * statement that fails is returned as its error.
 */
export async function measureStatements(
  db: Client,
  queries: readonly string[],
  options: Pick<MeasureOptions, 'warmups' | 'runs'> & { readonly parameters?: readonly (ParameterValues | undefined)[] } = {},
): Promise<(PhaseMeasurement | Error)[]> {
  const measured: (PhaseMeasurement | Error)[] = [];
  for (const [position, sql] of queries.entries()) {
    const values = options.parameters?.[position];
    measured.push(await measurePhase(db, sql, { warmups: options.warmups ?? 1, runs: options.runs ?? 5 }, 'BEGIN READ ONLY', values && values.valueSets.length > 0 ? { kind: 'bound', values } : undefined));
  }
  return measured;
}

function compare(sql: string, before: PhaseMeasurement | Error, after: PhaseMeasurement | Error, indexes: ReadonlySet<string>): StatementMeasurement {
  if (before instanceof Error) return { sql, served: false, error: before.message };
  if (after instanceof Error) return { sql, before, served: false, error: `after the candidate: ${after.message}` };
  return {
    sql,
    before,
    after,
    served: usesAnyIndex(after.plan.plan, indexes),
    exposed: isWrite(after.plan.plan) || planShape(before.plan.plan) !== planShape(after.plan.plan),
    timeReduction: reduction(before.medianMs, after.medianMs),
    costReduction: reduction(before.cost, after.cost),
  };
}

/** The value sets a bound statement was replayed with, on its measurement (a literal one's stays as it was). */
function withParameters(statement: StatementMeasurement, binding: Binding): StatementMeasurement {
  return binding.kind === 'bound' ? { ...statement, parameters: binding.values } : statement;
}

/**
 * Warm-up runs, then timed runs; each inside a transaction rolled back. An error is returned, not
 * thrown. A bound statement is prepared (PostgreSQL infers its parameters' types) and each run
 * executes it with the next value set, planned for those values (`force_custom_plan`), as a
 * literal statement would be.
 */
async function measurePhase(db: Client, sql: string, { warmups, runs }: { warmups: number; runs: number }, begin = 'BEGIN', binding: Binding = { kind: 'literal' }): Promise<PhaseMeasurement | Error> {
  if (binding.kind === 'unmeasurable') return new Error(`not measurable: ${binding.reason}`);
  const timesMs: number[] = [];
  const plans: TrimmedPlan[] = [];
  const name = `strata_replay_${randomBytes(6).toString('hex')}`;
  const prepared = binding.kind === 'bound';
  try {
    if (prepared) await db.query(`PREPARE ${name} AS ${sql}`);
    for (let run = 0; run < warmups + runs; run++) {
      await db.query(begin);
      try {
        if (prepared) await db.query('SET LOCAL plan_cache_mode = force_custom_plan');
        const values = prepared ? binding.values.valueSets[(run < warmups ? run : run - warmups) % binding.values.valueSets.length] : [];
        const { rows } = await db.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${prepared ? `EXECUTE ${name}(${values.map(quoteLiteral).join(', ')})` : sql}`);
        plans.push(trimPlan(rows[0]?.['QUERY PLAN']));
      } finally {
        await db.query('ROLLBACK');
      }
      if (run >= warmups) timesMs.push(plans[plans.length - 1].executionTimeMs);
    }
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  } finally {
    if (prepared) await db.query(`DEALLOCATE ${name}`).catch(() => undefined);
  }
  const plan = plans[plans.length - 1];
  return { timesMs, medianMs: median(timesMs), cost: plan.plan.totalCost, plan };
}

interface CreatedIndex {
  /** As plans name it. */
  readonly name: string;
  /** As DROP INDEX takes it (schema-qualified where the search path does not reach). */
  readonly regclass: string;
}

/** Runs the candidate's statements and ANALYZEs the tables they indexed; a candidate that fails leaves nothing behind. */
async function applyCandidate(db: Client, statements: readonly string[]): Promise<CreatedIndex[]> {
  const indexesNow = async () =>
    (await db.query(`SELECT x.indexrelid::oid AS oid, i.relname AS name, x.indexrelid::regclass::text AS regclass, x.indrelid::regclass::text AS "table" FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid`)).rows;
  const existing = new Set((await indexesNow()).map((row) => Number(row['oid'])));
  const created = async () => (await indexesNow()).filter((row) => !existing.has(Number(row['oid'])));
  for (const statement of statements) {
    try {
      await db.query(statement);
    } catch (error) {
      await dropIndexes(db, (await created()).map((row) => ({ name: String(row['name']), regclass: String(row['regclass']) })));
      throw new Error(`the candidate failed on the staging copy: ${statement}: ${(error as Error).message}`, { cause: error });
    }
  }
  const rows = await created();
  for (const table of new Set(rows.map((row) => String(row['table'])))) await db.query(`ANALYZE ${table}`);
  return rows.map((row) => ({ name: String(row['name']), regclass: String(row['regclass']) }));
}

async function dropIndexes(db: Client, indexes: readonly CreatedIndex[]): Promise<void> {
  for (const index of indexes) await db.query(`DROP INDEX IF EXISTS ${index.regclass}`);
}
