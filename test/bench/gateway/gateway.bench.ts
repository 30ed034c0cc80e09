/*
 * npm run bench:gateway [-- --json] [-- --rounds 3 --duration 10 --connections 32 --threads 1
 *                        --paced-connections 8 --paced-delay-ms 2
 *                        --warmup 3 --picks 5000000 --profile <dir> --workers 2]
 *
 * One run, one machine: the same two sample backends (v1, v2) behind
 *   (a) nginx from Debian: 1 worker, upstream keepalive, HTTP/1.1 upstream, `Connection ""`,
 *       weights 9:1, and
 *   (b) the Strata gateway: 1 process (gateway-process.ts), routing config 90/10 over two stack
 *       configs,
 * driven by wrk on loopback with the same connections, threads and duration, alternating A/B each
 * round (plus a direct-to-backend run for the p99 baseline). Reported per round and as the median:
 * rps ratio gateway/nginx and the ratio of the p99 latency each proxy adds (p99 minus the direct
 * p99). Then a microbenchmark of the routing pick over 64 nodes: the weighted stack-config pick
 * (StackRouter, alias table) and the P2C node pick, in ns per request.
 * Then, with --workers N (default 2), each proxy with N workers against itself with 1 (saturating,
 * alternating): workerScalingRatio = the gateway's N-worker scaling / nginx's.
 * With --json the last line is {"rpsRatio":…,"p99Ratio":…,"pickNs":…,"workerScalingRatio":…} (the medians).
 * --profile <dir> starts the gateway with --cpu-prof into <dir>.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { RoutableRequest, RoutingConfig, StackRouter, pickLessLoadedOfTwo } from '@strata/domain';

const root = resolve(__dirname, '..', '..', '..');
const register = join(root, 'deploy/node/register.js');

// Every child is tracked so that exit, an error or Ctrl-C stops it.
const children = new Set<ChildProcess>();
const tempDirs: string[] = [];
let cleanedUp = false;
const stopping = new Set<ChildProcess>();

// ---------------------------------------------------------------------------------------------
// Flags

const args = process.argv.slice(2);
const json = args.includes('--json');

function numberFlag(name: string, fallback: number): number {
  const index = args.indexOf(`--${name}`);
  if (index === -1) {
    return fallback;
  }
  const value = Number(args[index + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    fail(`--${name} must be a positive number, got '${args[index + 1] ?? ''}'`);
  }
  return value;
}

function stringFlag(name: string): string | undefined {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? undefined : args[index + 1];
}

const ROUNDS = Math.round(numberFlag('rounds', 3));
const DURATION_S = Math.round(numberFlag('duration', 10));
const CONNECTIONS = Math.round(numberFlag('connections', 32));
const THREADS = Math.round(numberFlag('threads', 1));
const WARMUP_S = Math.round(numberFlag('warmup', 3));
const PICKS = Math.round(numberFlag('picks', 5_000_000));
const PACED_CONNECTIONS = Math.round(numberFlag('paced-connections', 8));
const PACED_DELAY_MS = numberFlag('paced-delay-ms', 2);
const PROFILE_DIR = stringFlag('profile');
const WORKERS = Math.round(numberFlag('workers', 2));

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function fail(message: string): never {
  process.stderr.write(`bench:gateway: ${message}\n`);
  cleanup();
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// Processes: every child is tracked and stopped on exit, error and Ctrl-C.


function cleanup(): void {
  if (cleanedUp) {
    return;
  }
  cleanedUp = true;
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      // SIGTERM: nginx's master takes its worker down with it; node processes exit.
      child.kill('SIGTERM');
    }
  }
  for (const dir of tempDirs) {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    process.stderr.write(`bench:gateway: ${signal}, stopping every process\n`);
    cleanup();
    process.exit(130);
  });
}

function track(child: ChildProcess, name: string): ChildProcess {
  children.add(child);
  child.once('exit', (code, signal) => {
    children.delete(child);
    if (!cleanedUp && !stopping.has(child)) {
      fail(`${name} exited unexpectedly (code ${code}, signal ${signal})`);
    }
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  stopping.add(child);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Locates a tool on PATH or in the sbin directories (nginx lives in /usr/sbin). */
function locate(tool: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  return dirs.map((dir) => join(dir, tool)).find((candidate) => candidate !== tool && existsSync(candidate));
}

function requireTools(): { nginx: string; wrk: string } {
  const nginx = locate('nginx');
  const wrk = locate('wrk');
  const missing = [nginx ? undefined : 'nginx', wrk ? undefined : 'wrk'].filter((tool): tool is string => tool !== undefined);
  if (!nginx || !wrk) {
    fail(`${missing.join(' and ')} not found. Install with: sudo apt-get install -y ${missing.join(' ')}  (Debian/Ubuntu)`);
  }
  return { nginx, wrk };
}

async function freePort(): Promise<number> {
  return new Promise((done, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => done(port));
    });
  });
}

/** Starts a node process that prints one JSON line with its port when it listens. */
async function startNode(name: string, entry: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<{ child: ChildProcess; port: number }> {
  const child = track(spawn(process.execPath, [...nodeArgs, '-r', register, join(root, entry)], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] }), name);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const port = await new Promise<number>((done, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 30 s`)), 30_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      done((JSON.parse(line) as { port: number }).port);
    });
  });
  // Keep draining stdout so a chatty child never blocks on a full pipe.
  lines.on('line', () => undefined);
  return { child, port };
}

function get(port: number, path = '/'): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((done, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function waitUntilServing(port: number, name: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const { status } = await get(port);
      if (status === 200) {
        return;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      fail(`${name} did not serve 200 on 127.0.0.1:${port} within 15 s`);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** The bench gateway with `workers` cluster workers (1: one process, as `STRATA_GATEWAY_WORKERS=1`). */
async function startGateway(v1Port: number, v2Port: number, workers: number): Promise<{ child: ChildProcess; port: number }> {
  const stateDir = mkdtempSync(join(tmpdir(), 'strata-bench-gateway-'));
  tempDirs.push(stateDir);
  const profileArgs = PROFILE_DIR && workers === 1 ? ['--cpu-prof', `--cpu-prof-dir=${resolve(PROFILE_DIR)}`] : [];
  const gateway = await startNode(
    workers === 1 ? 'gateway' : `gateway (${workers} workers)`,
    'test/bench/gateway/gateway-process.ts',
    { BENCH_V1_URL: `http://127.0.0.1:${v1Port}`, BENCH_V2_URL: `http://127.0.0.1:${v2Port}`, BENCH_STATE_DIR: stateDir, BENCH_WORKERS: String(workers) },
    profileArgs,
  );
  await waitUntilServing(gateway.port, 'gateway');
  return gateway;
}

// ---------------------------------------------------------------------------------------------
// nginx

function nginxConfig(dir: string, port: number, v1Port: number, v2Port: number, workers: number): string {
  return `worker_processes ${workers};
daemon off;
master_process on;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_timeout 65s;
  keepalive_requests 1000000;
  upstream backends {
    server 127.0.0.1:${v1Port} weight=9;
    server 127.0.0.1:${v2Port} weight=1;
    keepalive 256;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backends;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}

async function startNginx(nginx: string, v1Port: number, v2Port: number, workers = 1): Promise<{ child: ChildProcess; port: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-bench-nginx-'));
  tempDirs.push(dir);
  const port = await freePort();
  writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, port, v1Port, v2Port, workers));
  const check = spawnSync(nginx, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf')], { encoding: 'utf8' });
  if (check.status !== 0) {
    fail(`the generated nginx config is invalid:\n${check.stderr}`);
  }
  const child = track(spawn(nginx, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'inherit'] }), 'nginx');
  await waitUntilServing(port, 'nginx');
  return { child, port };
}

// ---------------------------------------------------------------------------------------------
// CPU seconds of a process and its children (nginx: master and worker), from /proc.

function processTree(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return [pid, ...children.flatMap(processTree)];
  } catch {
    return [pid];
  }
}

function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) {
    return 0;
  }
  let ticks = 0;
  for (const member of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${member}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited meanwhile
    }
  }
  return ticks / 100;
}

// ---------------------------------------------------------------------------------------------
// wrk

interface WrkResult {
  rps: number;
  p99Ms: number;
  p50Ms: number;
  requests: number;
  errors: number;
  /** CPU use of the target (proxy or backend) during the run, in cores (1 = one core busy). */
  targetCores: number;
  /** CPU use of the backends during the run, in cores. */
  backendCores: number;
}

/** Processes whose CPU is sampled around each wrk run. */
const watched = { backends: [] as ChildProcess[] };

function toMs(value: string, unit: string): number {
  const factor: Record<string, number> = { us: 1e-3, ms: 1, s: 1_000, m: 60_000 };
  const scale = factor[unit];
  if (scale === undefined) {
    throw new Error(`unknown wrk latency unit '${unit}'`);
  }
  return Number(value) * scale;
}

/**
 * How wrk loads a target: `saturating` keeps CONNECTIONS requests in flight (throughput);
 * `paced` has each of PACED_CONNECTIONS wait PACED_DELAY_MS between requests (wrk's Lua `delay`),
 * an offered rate well below both proxies' capacity, so the p99 shows the latency a proxy adds
 * rather than the queue a saturated closed loop builds in front of the slower one.
 */
type Load = 'saturating' | 'paced';

let pacedScript: string | undefined;

function wrkArgs(load: Load, seconds: number, port: number): string[] {
  const common = [`-t${THREADS}`, `-d${seconds}s`, '--latency'];
  if (load === 'saturating') {
    return [...common, `-c${CONNECTIONS}`, `http://127.0.0.1:${port}/`];
  }
  if (!pacedScript) {
    const dir = mkdtempSync(join(tmpdir(), 'strata-bench-wrk-'));
    tempDirs.push(dir);
    pacedScript = join(dir, 'paced.lua');
    writeFileSync(pacedScript, `function delay()\n  return ${PACED_DELAY_MS}\nend\n`);
  }
  return [...common, `-c${Math.max(PACED_CONNECTIONS, THREADS)}`, '-s', pacedScript, `http://127.0.0.1:${port}/`];
}

function runWrk(wrk: string, port: number, seconds: number, target?: ChildProcess, load: Load = 'saturating'): Promise<WrkResult> {
  const backendCpu = (): number => watched.backends.reduce((sum, child) => sum + cpuSeconds(child.pid), 0);
  const targetBefore = cpuSeconds(target?.pid);
  const backendsBefore = backendCpu();
  const startedAt = process.hrtime.bigint();
  return new Promise((done, reject) => {
    const child = spawn(wrk, wrkArgs(load, seconds, port), { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      children.delete(child);
      if (code !== 0) {
        reject(new Error(`wrk exited with ${code}:\n${out}`));
        return;
      }
      const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
      const p99 = /^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(out);
      const p50 = /^\s*50%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(out);
      const requests = /(\d+) requests in/.exec(out);
      if (!rps || !p99 || !p50 || !requests) {
        reject(new Error(`could not parse wrk output:\n${out}`));
        return;
      }
      const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
      const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
      const errors = Number(non2xx?.[1] ?? 0) + (socket ? socket.slice(1).reduce((sum, count) => sum + Number(count), 0) : 0);
      const wall = Number(process.hrtime.bigint() - startedAt) / 1e9;
      done({
        rps: Number(rps[1]),
        p99Ms: toMs(p99[1], p99[2]),
        p50Ms: toMs(p50[1], p50[2]),
        requests: Number(requests[1]),
        errors,
        targetCores: (cpuSeconds(target?.pid) - targetBefore) / wall,
        backendCores: (backendCpu() - backendsBefore) / wall,
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Routing pick microbenchmark: 64 nodes in two stack configs (90/10), as the gateway picks.

interface Timing {
  best: number;
  median: number;
}

interface PickResult {
  /** One Math.random() call: the pick takes three (alias column, two P2C candidates). */
  random: Timing;
  /** StackRouter.choose: rules (none), stickiness (none), then the alias-table pick. */
  weighted: Timing;
  /** Power of two choices among the 32 nodes of a stack config. */
  p2c: Timing;
  /** Both, as the gateway does per request: the figure the goal applies to. */
  both: Timing;
}

const PICK_REPEATS = 9;

class BenchRequest implements RoutableRequest {
  readonly path = '/';
  header(): string | undefined {
    return undefined;
  }
  cookie(): string | undefined {
    return undefined;
  }
}

interface BenchNode {
  outstanding: number;
}

const NODES = 64;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function microbenchPick(): PickResult {
  const perConfig = NODES / 2;
  const nodeList = (prefix: string): RoutingConfig['stackConfigs'][number]['nodes'] =>
    Array.from({ length: perConfig }, (_, index) => ({ id: `${prefix}-${index}`, url: `http://10.0.${prefix === 'v1' ? 1 : 2}.${index}:8080` }));
  const config: RoutingConfig = {
    component: 'bench',
    stableConfig: 'v1',
    stackConfigs: [
      { name: 'v1', weight: 90, nodes: nodeList('v1') },
      { name: 'v2', weight: 10, nodes: nodeList('v2') },
    ],
    rules: [],
    retryBudget: { ratio: 0.2, minRetriesPerSecond: 10 },
    outlierDetection: { consecutiveFailures: 5, baseEjectionMs: 1_000, maxEjectionMs: 30_000 },
  };
  const router = new StackRouter(config);
  const nodesByConfig: BenchNode[][] = config.stackConfigs.map((stackConfig) => stackConfig.nodes.map(() => ({ outstanding: Math.floor(Math.random() * 8) })));
  const outstandingOf = (node: BenchNode): number => node.outstanding;
  const request = new BenchRequest();

  // Each loop does what the gateway does per request, accumulating into a sink so nothing is
  // optimised away; nodes' load moves so the P2C comparison is not constant.
  const weighted = (count: number): number => {
    let sink = 0;
    for (let index = 0; index < count; index++) {
      sink += router.choose(request, Math.random());
    }
    return sink;
  };
  const p2c = (count: number): number => {
    let sink = 0;
    const nodes = nodesByConfig[0];
    for (let index = 0; index < count; index++) {
      const node = pickLessLoadedOfTwo(nodes, outstandingOf, Math.random) as BenchNode;
      node.outstanding = (node.outstanding + 1) & 7;
      sink += node.outstanding;
    }
    return sink;
  };
  const both = (count: number): number => {
    let sink = 0;
    for (let index = 0; index < count; index++) {
      const node = pickLessLoadedOfTwo(nodesByConfig[router.choose(request, Math.random())], outstandingOf, Math.random) as BenchNode;
      node.outstanding = (node.outstanding + 1) & 7;
      sink += node.outstanding;
    }
    return sink;
  };
  let sink = 0;
  // On a shared machine a timed loop is only ever slowed down (preempted, not sped up), so the
  // fastest of several repeats is the estimate of the pick's own cost; the median is shown too.
  const time = (loop: (count: number) => number): Timing => {
    sink += loop(Math.min(PICKS, 1_000_000)); // warm-up: let the JIT optimise the loop
    const samples: number[] = [];
    for (let repeat = 0; repeat < PICK_REPEATS; repeat++) {
      const started = process.hrtime.bigint();
      sink += loop(PICKS);
      samples.push(Number(process.hrtime.bigint() - started) / PICKS);
    }
    return { best: Math.min(...samples), median: median(samples) };
  };
  const random = (count: number): number => {
    let sum = 0;
    for (let index = 0; index < count; index++) {
      sum += Math.random();
    }
    return sum;
  };
  const result = { random: time(random), weighted: time(weighted), p2c: time(p2c), both: time(both) };
  if (sink === -1) {
    say('unreachable');
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Main

/** direct, nginx and gateway under one kind of load. */
interface Trio {
  direct: WrkResult;
  nginx: WrkResult;
  gateway: WrkResult;
}

interface Round {
  saturating: Trio;
  paced: Trio;
  rpsRatio: number;
  p99Ratio: number;
}

const fmt = (value: number, digits = 2): string => (Number.isFinite(value) ? value.toFixed(digits) : String(value));
const describe = (result: WrkResult, target: string): string =>
  `${fmt(result.rps, 0).padStart(7)} rps  p50 ${fmt(result.p50Ms, 3)} ms  p99 ${fmt(result.p99Ms, 3).padStart(7)} ms  cpu ${target} ${fmt(result.targetCores)} backends ${fmt(result.backendCores)} cores${result.errors > 0 ? `  ERRORS ${result.errors}` : ''}`;

async function main(): Promise<void> {
  const tools = requireTools();
  say(`bench:gateway: ${ROUNDS} rounds x 2 loads x 3 targets x ${DURATION_S} s, wrk -t${THREADS}, saturating -c${CONNECTIONS}, paced -c${PACED_CONNECTIONS} every ${PACED_DELAY_MS} ms, warm-up ${WARMUP_S} s, node ${process.version}`);

  const v1 = await startNode('sample backend v1', 'apps/sample-backend/src/main.ts', { PORT: '0', STRATA_SAMPLE_VERSION: '1.0.0', STRATA_SAMPLE_NODE_ID: 'v1' });
  const v2 = await startNode('sample backend v2', 'apps/sample-backend/src/main.ts', { PORT: '0', STRATA_SAMPLE_VERSION: '2.0.0', STRATA_SAMPLE_NODE_ID: 'v2' });
  const nginx = await startNginx(tools.nginx, v1.port, v2.port);
  const gateway = await startGateway(v1.port, v2.port, 1);
  watched.backends.push(v1.child, v2.child);

  // Both proxies split 90/10: check it on a small sample before measuring.
  for (const [name, port] of [
    ['nginx', nginx.port],
    ['gateway', gateway.port],
  ] as const) {
    let toV2 = 0;
    for (let index = 0; index < 200; index++) {
      const { headers } = await get(port);
      toV2 += headers['x-strata-node'] === 'v2' ? 1 : 0;
    }
    say(`  ${name.padEnd(7)} split check: ${toV2 / 2} % of 200 requests to v2 (configured 10 %)`);
  }

  if (WARMUP_S > 0) {
    for (const port of [v1.port, nginx.port, gateway.port]) {
      await runWrk(tools.wrk, port, WARMUP_S);
    }
  }

  // Alternate which proxy goes first so drift (other load on the machine) hits both alike.
  const runTrio = async (load: Load, nginxFirst: boolean): Promise<Trio> => {
    const direct = await runWrk(tools.wrk, v1.port, DURATION_S, v1.child, load);
    const runNginx = () => runWrk(tools.wrk, nginx.port, DURATION_S, nginx.child, load);
    const runGateway = () => runWrk(tools.wrk, gateway.port, DURATION_S, gateway.child, load);
    if (nginxFirst) {
      const nginxResult = await runNginx();
      return { direct, nginx: nginxResult, gateway: await runGateway() };
    }
    const gatewayResult = await runGateway();
    return { direct, nginx: await runNginx(), gateway: gatewayResult };
  };
  const sayTrio = (trio: Trio, added: boolean): void => {
    const addedOf = (result: WrkResult) => (added ? `  (p99 added ${fmt(result.p99Ms - trio.direct.p99Ms, 3)} ms)` : '');
    say(`    direct  ${describe(trio.direct, 'v1')}`);
    say(`    nginx   ${describe(trio.nginx, 'nginx')}${addedOf(trio.nginx)}`);
    say(`    gateway ${describe(trio.gateway, 'gateway')}${addedOf(trio.gateway)}`);
  };

  const rounds: Round[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const nginxFirst = round % 2 === 1;
    const saturating = await runTrio('saturating', nginxFirst);
    const paced = await runTrio('paced', nginxFirst);
    const rpsRatio = saturating.gateway.rps / saturating.nginx.rps;
    const nginxAdded = paced.nginx.p99Ms - paced.direct.p99Ms;
    const gatewayAdded = paced.gateway.p99Ms - paced.direct.p99Ms;
    // Added latency at or below zero means the noise exceeds what nginx adds: no ratio then.
    const p99Ratio = nginxAdded > 0 ? gatewayAdded / nginxAdded : Number.NaN;
    rounds.push({ saturating, paced, rpsRatio, p99Ratio });
    say(`round ${round}/${ROUNDS} (${nginxFirst ? 'nginx first' : 'gateway first'})`);
    say(`  saturating: wrk -c${CONNECTIONS}`);
    sayTrio(saturating, false);
    say(`  paced: wrk -c${PACED_CONNECTIONS}, ${PACED_DELAY_MS} ms between requests per connection`);
    sayTrio(paced, true);
    say(`  rps ratio gateway/nginx ${fmt(rpsRatio, 3)}   p99-added ratio gateway/nginx ${fmt(p99Ratio, 3)}`);
  }

  // Across cores: each proxy with WORKERS workers against itself with one, saturating, alternating.
  const scaling = { gateway: [] as number[], nginx: [] as number[] };
  if (WORKERS > 1) {
    const gatewayN = await startGateway(v1.port, v2.port, WORKERS);
    const nginxN = await startNginx(tools.nginx, v1.port, v2.port, WORKERS);
    await runWrk(tools.wrk, gatewayN.port, WARMUP_S || 1);
    await runWrk(tools.wrk, nginxN.port, WARMUP_S || 1);
    for (let round = 1; round <= ROUNDS; round++) {
      const pairs = [
        ['gateway', gateway, gatewayN],
        ['nginx', nginx, nginxN],
      ] as const;
      for (const [name, one, many] of round % 2 === 1 ? pairs : [...pairs].reverse()) {
        const single = await runWrk(tools.wrk, one.port, DURATION_S, one.child);
        const multi = await runWrk(tools.wrk, many.port, DURATION_S, many.child);
        scaling[name].push(multi.rps / single.rps);
        say(`  scaling round ${round}: ${name.padEnd(7)} 1 worker ${describe(single, name)}`);
        say(`  scaling round ${round}: ${name.padEnd(7)} ${WORKERS} workers ${describe(multi, name)}  -> x${fmt(multi.rps / single.rps, 3)}`);
      }
    }
    await stop(gatewayN.child);
    await stop(nginxN.child);
  }
  const gatewayScaling = WORKERS > 1 ? median(scaling.gateway) : Number.NaN;
  const nginxScaling = WORKERS > 1 ? median(scaling.nginx) : Number.NaN;
  const workerScalingRatio = gatewayScaling / nginxScaling;

  await stop(gateway.child);
  await stop(nginx.child);
  await stop(v1.child);
  await stop(v2.child);
  if (PROFILE_DIR) {
    say(`gateway CPU profile written to ${resolve(PROFILE_DIR)}`);
  }

  const pick = microbenchPick();
  const rpsRatio = median(rounds.map((round) => round.rpsRatio));
  const finiteP99 = rounds.map((round) => round.p99Ratio).filter(Number.isFinite);
  // When noise makes nginx's added p99 non-positive in every round, fall back to the medians.
  const medianDirect = median(rounds.map((round) => round.paced.direct.p99Ms));
  const medianGatewayAdded = median(rounds.map((round) => round.paced.gateway.p99Ms)) - medianDirect;
  const medianNginxAdded = median(rounds.map((round) => round.paced.nginx.p99Ms)) - medianDirect;
  const ratioOfMedians = medianNginxAdded > 0 ? medianGatewayAdded / medianNginxAdded : Number.NaN;
  // NaN (null in --json) when nginx's added p99 is not positive: the ratio is then undetermined.
  const p99Ratio = finiteP99.length > 0 ? median(finiteP99) : ratioOfMedians;
  const errors = rounds
    .flatMap((round) => [round.saturating, round.paced])
    .reduce((sum, trio) => sum + trio.direct.errors + trio.nginx.errors + trio.gateway.errors, 0);

  say('');
  say(`rps ratio gateway/nginx:       rounds ${rounds.map((round) => fmt(round.rpsRatio, 3)).join(', ')}  median ${fmt(rpsRatio, 3)}  (goal >= 0.75: ${rpsRatio >= 0.75 ? 'met' : 'NOT met'})`);
  const p99Verdict = Number.isNaN(p99Ratio) ? 'UNDETERMINED: nginx added no p99 over the direct run, the noise of the direct p99 exceeds it' : p99Ratio <= 1.5 ? 'met' : 'NOT met';
  say(`p99 added ratio gateway/nginx: rounds ${rounds.map((round) => fmt(round.p99Ratio, 3)).join(', ')}  median ${fmt(p99Ratio, 3)}  (goal <= 1.5: ${p99Verdict})`);
  say(`  median paced p99: direct ${fmt(medianDirect, 3)} ms, nginx adds ${fmt(medianNginxAdded, 3)} ms, gateway adds ${fmt(medianGatewayAdded, 3)} ms (ratio of these: ${fmt(ratioOfMedians, 3)})`);
  const timing = (value: Timing): string => `${fmt(value.best, 1)} ns (median ${fmt(value.median, 1)})`;
  say(`routing pick, ${NODES} nodes in 2 stack configs, best of ${PICK_REPEATS} x ${PICKS} picks:`);
  say(`  weighted stack-config pick ${timing(pick.weighted)}, P2C node pick ${timing(pick.p2c)}`);
  say(`  both, per request ${timing(pick.both)}  (goal <= 100 ns: ${pick.both.best <= 100 ? 'met' : 'NOT met'})`);
  say(`  (for scale: one Math.random() ${timing(pick.random)}; the pick calls it three times)`);
  if (WORKERS > 1) {
    say(`worker scaling (rps with ${WORKERS} workers / 1): gateway ${fmt(gatewayScaling, 3)}, nginx ${fmt(nginxScaling, 3)}; ratio ${fmt(workerScalingRatio, 3)}  (goal >= 0.9: ${workerScalingRatio >= 0.9 ? 'met' : 'NOT met'})`);
  }
  if (errors > 0) {
    say(`WARNING: ${errors} non-2xx responses or socket errors during the runs`);
  }
  if (json) {
    const round3 = (value: number): number | null => (Number.isFinite(value) ? Math.round(value * 1_000) / 1_000 : null);
    say(JSON.stringify({ rpsRatio: round3(rpsRatio), p99Ratio: round3(p99Ratio), pickNs: round3(pick.both.best), workerScalingRatio: round3(workerScalingRatio) }));
  }
}

main().then(
  () => {
    cleanup();
    process.exit(0);
  },
  (error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)),
);
