import { Agent, request } from 'node:http';
import { Client } from 'pg';
import { fieldsThatMustBeNamed, namesOneOf } from './expected-fields';
import { hostileRequest, FuzzRequest } from './hostile-requests';
import { OpenApiDocument, operationsOf } from './openapi';
import { Random } from './prng';
import { RowCounter, RowCounts, changedTables } from './row-counts';

export interface FuzzOptions {
  apiUrl: string;
  /** The database the app writes; row counts of its service schemas are compared around refused requests. */
  databaseUrl: string;
  requests: number;
  seed: number;
  /** Headers every request carries; the one place a bearer token is added once the API requires it. */
  headers: () => Record<string, string>;
  /** Headers of the valid writes mixed in (an operator's): they must be accepted, whatever `headers` rotates through. */
  writeHeaders: () => Record<string, string>;
}

export interface FuzzFailure {
  request: string;
  status: number;
  problem: string;
}

export interface FuzzSummary {
  seed: number;
  sent: number;
  routes: number;
  statuses: Record<number, number>;
  serverErrors: FuzzFailure[];
  notProblemJson: FuzzFailure[];
  /** Refused requests after which a table's row count differed. */
  rowChanges: FuzzFailure[];
  /** 400/422 answers to a value no field may hold that do not name its field. */
  wrongField: FuzzFailure[];
  /** Accepted writes that did not leave exactly one audit row (the audit completeness check). */
  unaudited: FuzzFailure[];
  /** Requests that succeeded and were allowed to change rows. */
  accepted: string[];
  /** Accepted writes, each checked for its one audit row. */
  audited: number;
}

interface Response {
  status: number;
  contentType: string;
  body: string;
}

/** Tables a timer writes whatever the requests: the window publisher's progress marker. */
const BACKGROUND_TABLES = ['metrics.window_cursor'];

/**
 * Every VALID_WRITE_EVERY-th request is a write the API must accept (a new stack): seeded hostile
 * requests alone may make no valid write at all (one seed made none once two routes were added),
 * which would leave the one-audit-row-per-accepted-write check checking nothing.
 */
const VALID_WRITE_EVERY = 50;

function validWrite(index: number, seed: number, headers: Record<string, string>): FuzzRequest {
  const body = { name: `fuzz-${seed}-${index}`, environments: [{ name: 'production' }] };
  return { method: 'POST', path: '/v1/stacks', route: 'POST /v1/stacks', attack: 'valid-write', headers: { ...headers, 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) };
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function send(apiUrl: string, fuzz: FuzzRequest): Promise<Response> {
  const url = new URL(apiUrl);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: fuzz.method,
        path: fuzz.path,
        headers: { ...fuzz.headers, ...(fuzz.body ? { 'content-length': String(fuzz.body.length) } : {}) },
        timeout: 30_000,
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, contentType: String(incoming.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }));
        incoming.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error('timed out after 30 s')));
    outgoing.on('error', reject);
    outgoing.end(fuzz.body);
  });
}

function describe(fuzz: FuzzRequest): string {
  const path = fuzz.path.length > 160 ? `${fuzz.path.slice(0, 160)}…(${fuzz.path.length})` : fuzz.path;
  return `${fuzz.method} ${path} [${fuzz.route}; ${fuzz.attack}]`;
}

function problemErrors(response: Response): { field?: unknown }[] {
  try {
    const errors = (JSON.parse(response.body) as { errors?: unknown }).errors;
    return Array.isArray(errors) ? (errors as { field?: unknown }[]) : [];
  } catch {
    return [];
  }
}

/** Audit rows of every service: accepted writes add one each, nothing else adds any. */
function auditRows(counts: RowCounts): number {
  return [...counts].filter(([table]) => table.endsWith('.audit_log')).reduce((total, [, rows]) => total + rows, 0);
}

function problemDetail(response: Response): string {
  try {
    const body = JSON.parse(response.body) as { detail?: string; errors?: unknown };
    return `${body.detail ?? ''}${body.errors ? ` ${JSON.stringify(body.errors).slice(0, 300)}` : ''}`;
  } catch {
    return response.body.slice(0, 200);
  }
}

/** Waits until the asynchronous effects of an accepted request (events, projections) have landed. */
async function settled(counter: RowCounter, previous: RowCounts): Promise<RowCounts> {
  let last = previous;
  for (let attempt = 0; attempt < 20; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const next = await counter.count();
    if (attempt > 0 && changedTables(last, next).length === 0) {
      return next;
    }
    last = next;
  }
  return last;
}

/**
 * Sends `requests` hostile requests, made from the app's own OpenAPI document for every route,
 * one after another, and checks each answer: never 5xx, every 4xx problem+json, and no row of any
 * service schema changed by a refused request.
 */
export async function fuzzApi(options: FuzzOptions): Promise<FuzzSummary> {
  const document = (await (await fetch(`${options.apiUrl}/docs-json`, { headers: options.headers() })).json()) as OpenApiDocument;
  const operations = operationsOf(document);
  const random = new Random(options.seed);
  const database = new Client({ connectionString: options.databaseUrl });
  await database.connect();
  const counter = new RowCounter(database);
  const summary: FuzzSummary = { seed: options.seed, sent: 0, routes: operations.length, statuses: {}, serverErrors: [], notProblemJson: [], rowChanges: [], wrongField: [], unaudited: [], accepted: [], audited: 0 };
  try {
    const only = process.env['FUZZ_ONLY'] ? new Set(process.env['FUZZ_ONLY'].split(',').map(Number)) : undefined;
    let counts = await settled(counter, await counter.count());
    for (let index = 0; index < options.requests; index++) {
      const fuzz = index % VALID_WRITE_EVERY === VALID_WRITE_EVERY - 1 ? validWrite(index, options.seed, options.writeHeaders()) : hostileRequest(document, operations, random, options.headers);
      if (only !== undefined && !only.has(index)) {
        continue;
      }
      if (process.env['FUZZ_TRACE']) {
        process.stderr.write(`${index} ${describe(fuzz)}\n`);
      }
      let response: Response;
      try {
        response = await send(options.apiUrl, fuzz);
      } catch (error) {
        response = { status: 599, contentType: '', body: `no answer: ${(error as Error).message}` };
      }
      summary.sent++;
      summary.statuses[response.status] = (summary.statuses[response.status] ?? 0) + 1;
      const failure = { request: describe(fuzz), status: response.status, problem: problemDetail(response) };
      if (response.status >= 500) {
        summary.serverErrors.push(failure);
      } else if (response.status >= 400 && !response.contentType.startsWith('application/problem+json')) {
        summary.notProblemJson.push({ ...failure, problem: `content-type '${response.contentType}': ${failure.problem}` });
      }
      const mustName = fieldsThatMustBeNamed(fuzz);
      if ((response.status === 400 || response.status === 422) && mustName.length > 0 && !namesOneOf(problemErrors(response), mustName)) {
        summary.wrongField.push({ ...failure, problem: `expected one of ${mustName.join(', ')} named: ${failure.problem}` });
      }
      const after = await counter.count();
      if (response.status >= 200 && response.status < 300) {
        summary.accepted.push(describe(fuzz));
        const write = fuzz.method !== 'GET' && fuzz.method !== 'HEAD';
        const next = write ? await settled(counter, after) : after;
        const added = auditRows(next) - auditRows(counts);
        if (added !== (write ? 1 : 0)) {
          summary.unaudited.push({ ...failure, problem: `${added} audit rows added` });
        }
        summary.audited += write ? 1 : 0;
        counts = next;
        continue;
      }
      const changed = changedTables(counts, after).filter((change) => !BACKGROUND_TABLES.some((table) => change.startsWith(`${table} `)));
      if (changed.length > 0) {
        summary.rowChanges.push({ ...failure, problem: changed.join(', ') });
        counts = after;
      }
    }
  } finally {
    await database.end();
  }
  return summary;
}

export function formatSummary(summary: FuzzSummary): string {
  const statuses = Object.entries(summary.statuses)
    .map(([status, count]) => `${status}: ${count}`)
    .join(', ');
  const list = (title: string, failures: FuzzFailure[]) =>
    failures.length === 0 ? [] : [`${title} (${failures.length}):`, ...failures.slice(0, 30).map((failure) => `  ${failure.status} ${failure.request} → ${failure.problem}`)];
  return [
    `API fuzz (seed ${summary.seed}): ${summary.sent} requests over ${summary.routes} routes; statuses ${statuses}; 5xx: ${summary.serverErrors.length}; accepted (2xx): ${summary.accepted.length}; accepted writes with their one audit row: ${summary.audited - summary.unaudited.length}/${summary.audited}`,
    ...list('5xx', summary.serverErrors),
    ...list('4xx without application/problem+json', summary.notProblemJson),
    ...list('rows changed by a refused request', summary.rowChanges),
    ...list('400/422 not naming the field', summary.wrongField),
    ...list('accepted requests without exactly one audit row per write', summary.unaudited),
  ].join('\n');
}
