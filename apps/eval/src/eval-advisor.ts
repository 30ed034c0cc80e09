import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fingerprint } from 'libpg-query';
import { Client } from 'pg';
import { adviseIndexes, type AdvisorResult, type EvaluationPath, type IndexProposal, type QueryStatistic, type SqlRunner } from '@strata/predictive-staging/advisor';
import { UsageError } from './eval-nab';

export { UsageError } from './eval-nab';

export const EVAL_ADVISOR_USAGE = `usage: npm run eval:advisor -- [--workload <dir>]… [--path hypopg|staging-copy] [--json]

  For each workload (default: every folder of test/fixtures/advisor): a fresh database on
  DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), its schema.sql, its
  queries.json run "calls" times each, the index advisor, then the proposals scored against
  expected.json and the proposed indexes built to measure the speedup. The databases are dropped.

  --workload <dir>  a workload folder (schema.sql, queries.json, expected.json); repeatable
  --path <path>     force the evaluation path: hypopg (hypothetical indexes in the workload's
                    database) or staging-copy (candidates built on a sampled copy of it);
                    default: hypopg where the extension is available
  --json            end with one JSON line: precision, recall, speedup, proposed
`;

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'advisor');

export interface EvalAdvisorArgs {
  readonly workloads: readonly string[];
  readonly path?: EvaluationPath;
  readonly json: boolean;
}

export function parseEvalAdvisorArgs(argv: readonly string[]): EvalAdvisorArgs {
  const workloads: string[] = [];
  let path: EvaluationPath | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    if (argument === '--json') json = true;
    else if (argument === '--workload') {
      const value = argv[++i];
      if (!value) throw new UsageError('--workload needs a folder');
      workloads.push(value);
    } else if (argument === '--path') {
      const value = argv[++i];
      if (value !== 'hypopg' && value !== 'staging-copy') throw new UsageError(`--path is hypopg or staging-copy, got '${value ?? ''}'`);
      path = value;
    } else throw new UsageError(`unknown argument '${argument}'`);
  }
  const defaults = () => readdirSync(FIXTURES, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => join(FIXTURES, entry.name));
  return { workloads: workloads.length > 0 ? workloads : defaults(), path, json };
}

interface WorkloadQuery {
  readonly sql: string;
  readonly calls: number;
}

export interface ExpectedIndex {
  readonly table: string;
  readonly columns: readonly (readonly string[])[];
}

export interface Score {
  readonly proposals: number;
  readonly matchedProposals: number;
  readonly entries: number;
  readonly matchedEntries: number;
}

/** A proposal matches an entry when it is on the entry's table and its leading columns equal one of the entry's lists. */
export function matches(proposal: Pick<IndexProposal, 'table' | 'columns'>, entry: ExpectedIndex): boolean {
  return proposal.table === entry.table && entry.columns.some((list) => list.length <= proposal.columns.length && list.every((column, position) => proposal.columns[position] === column));
}

export function score(proposals: readonly Pick<IndexProposal, 'table' | 'columns'>[], expected: readonly ExpectedIndex[]): Score {
  return {
    proposals: proposals.length,
    matchedProposals: proposals.filter((proposal) => expected.some((entry) => matches(proposal, entry))).length,
    entries: expected.length,
    matchedEntries: expected.filter((entry) => proposals.some((proposal) => matches(proposal, entry))).length,
  };
}

export function geometricMean(values: readonly number[]): number {
  return values.length === 0 ? 1 : Math.exp(values.reduce((sum, value) => sum + Math.log(value), 0) / values.length);
}

interface WorkloadReport {
  readonly name: string;
  readonly statisticsSource: string;
  readonly result: AdvisorResult;
  readonly score: Score;
  /** Mean execution time before ÷ after, per affected query. */
  readonly speedups: readonly number[];
}

/** Server-side execution time of `runs` executions (EXPLAIN ANALYZE without per-node timing: the statement's own time). */
async function meanExecutionMs(db: SqlRunner, sql: string, runs: number): Promise<number> {
  let total = 0;
  for (let run = 0; run < runs; run++) {
    const { rows } = await db.query(`EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ${sql}`);
    total += (rows[0]?.['QUERY PLAN'] as { 'Execution Time': number }[])[0]['Execution Time'];
  }
  return total / runs;
}

/**
 * The statistics the advisor reads: pg_stat_statements when the server preloads it (its rows matched
 * back to the literal statements by fingerprint, since PostgreSQL 15 cannot plan a normalised `$1`
 * statement), otherwise the statements timed here.
 */
async function collectStatistics(db: SqlRunner, queries: readonly WorkloadQuery[]): Promise<{ source: string; statistics: QueryStatistic[] }> {
  const { rows } = await db.query(`SELECT current_setting('shared_preload_libraries') AS libraries`);
  if (!String(rows[0]?.['libraries']).split(',').map((name) => name.trim()).includes('pg_stat_statements')) {
    const statistics: QueryStatistic[] = [];
    for (const query of queries) statistics.push({ query: query.sql, calls: query.calls, meanExecTimeMs: await meanExecutionMs(db, query.sql, query.calls) });
    return { source: 'timed here (pg_stat_statements is not in shared_preload_libraries)', statistics };
  }
  await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await db.query('SELECT pg_stat_statements_reset()');
  for (const query of queries) for (let call = 0; call < query.calls; call++) await db.query(query.sql);
  const { rows: statementRows } = await db.query(`SELECT query, calls, mean_exec_time FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`);
  const literalByFingerprint = new Map(await Promise.all(queries.map(async (query) => [await fingerprint(query.sql), query.sql] as const)));
  const statistics: QueryStatistic[] = [];
  for (const row of statementRows) {
    const literal = literalByFingerprint.get(await fingerprint(String(row['query'])).catch(() => ''));
    if (literal) statistics.push({ query: literal, calls: Number(row['calls']), meanExecTimeMs: Number(row['mean_exec_time']) });
  }
  return { source: 'pg_stat_statements', statistics };
}

async function evaluateWorkload(adminUrl: string, folder: string, path: EvaluationPath | undefined): Promise<WorkloadReport> {
  const name = basename(folder);
  const database = `strata_eval_advisor_${name.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${process.pid}`;
  const queries = JSON.parse(readFileSync(join(folder, 'queries.json'), 'utf8')) as WorkloadQuery[];
  const expected = (JSON.parse(readFileSync(join(folder, 'expected.json'), 'utf8')) as { indexes: ExpectedIndex[] }).indexes;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const db = new Client({ connectionString: url.toString() });
  try {
    await db.connect();
    const { rows } = await db.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg'`);
    if (rows.length > 0 && path !== 'staging-copy') await db.query('CREATE EXTENSION hypopg');
    await db.query(readFileSync(join(folder, 'schema.sql'), 'utf8'));
    await db.query('ANALYZE');
    const { source, statistics } = await collectStatistics(db, queries);
    const result = await adviseIndexes(db, statistics, { path });
    const affected = [...new Set(result.proposals.flatMap((proposal) => proposal.queries))];
    const before = affected.map((sql) => statistics.find((statistic) => statistic.query === sql)?.meanExecTimeMs ?? 0);
    for (const proposal of result.proposals) await db.query(proposal.sql);
    await db.query('ANALYZE');
    const speedups: number[] = [];
    for (const [position, sql] of affected.entries()) {
      const runs = queries.find((query) => query.sql === sql)?.calls ?? 10;
      speedups.push(before[position] / (await meanExecutionMs(db, sql, runs)));
    }
    return { name, statisticsSource: source, result, score: score(result.proposals, expected), speedups };
  } finally {
    await db.end().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 1 : Math.round((numerator / denominator) * 1000) / 1000;
}

function writeWorkload(report: WorkloadReport, write: (text: string) => void): void {
  const { result, score: figures } = report;
  write(`\n${report.name}: statistics ${report.statisticsSource}; evaluated with ${result.path}\n`);
  if (result.stagingCopy) {
    const tables = result.stagingCopy.tables.map((table) => `${table.table} ${table.rows} of ${table.productionRows} rows (${Number(table.percent.toFixed(2))} %)`);
    write(`  staging copy ${result.stagingCopy.name} (dropped): ${tables.join(', ')}\n`);
  }
  for (const proposal of result.proposals) {
    write(`  proposed  ${`${proposal.table}(${proposal.columns.join(', ')})`.padEnd(36)} cost ${proposal.costBefore.toFixed(0)} → ${proposal.costAfter.toFixed(0)}, ${proposal.queries.length} quer${proposal.queries.length === 1 ? 'y' : 'ies'}\n`);
  }
  for (const rejected of result.rejected) {
    write(`  rejected  ${`${rejected.table}(${rejected.columns.join(', ')})`.padEnd(36)} ${rejected.reason}\n`);
  }
  const speedup = geometricMean(report.speedups);
  write(`  precision ${ratio(figures.matchedProposals, figures.proposals)}  recall ${ratio(figures.matchedEntries, figures.entries)}  speedup ${speedup.toFixed(1)}× (geometric mean over ${report.speedups.length} affected queries)\n`);
}

/** Runs every workload in turn (one database at a time) and writes the table, then the JSON line. */
export async function runEvalAdvisor(args: EvalAdvisorArgs, write: (text: string) => void): Promise<Record<string, unknown>> {
  const adminUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const reports: WorkloadReport[] = [];
  write(`Index advisor on ${args.workloads.length} workload(s): proposals kept when the planner cost of the queries they serve drops ≥ 50 %\n`);
  for (const folder of args.workloads) {
    const report = await evaluateWorkload(adminUrl, folder, args.path);
    writeWorkload(report, write);
    reports.push(report);
  }
  const total = (field: keyof Score) => reports.reduce((sum, report) => sum + report.score[field], 0);
  const summary = {
    precision: ratio(total('matchedProposals'), total('proposals')),
    recall: ratio(total('matchedEntries'), total('entries')),
    speedup: Math.round(geometricMean(reports.flatMap((report) => report.speedups)) * 10) / 10,
    proposed: reports.flatMap((report) => report.result.proposals.map((proposal) => ({ workload: report.name, table: proposal.table, columns: proposal.columns, path: proposal.path }))),
  };
  write(`\nall workloads: precision ${summary.precision}  recall ${summary.recall}  speedup ${summary.speedup}×\n`);
  if (args.json) write(`${JSON.stringify(summary)}\n`);
  return summary;
}
