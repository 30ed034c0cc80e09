/*
 * npm run bench:gateway [-- --json] [-- --rounds 3 --duration 10 --connections 32 --threads 1
 *                        --paced-connections 8 --paced-delay-ms 2
 *                        --warmup 3 --picks 5000000 --profile <dir> --workers 2 --floor]
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
 * --floor adds a third proxy to every round, after the pair: floor-proxy.ts, node:http and undici
 * with nothing of Strata's, and the JSON gains floorRpsRatio (floor/nginx), gatewayOverFloor
 * (gateway/floor rps) and floorP99Ratio (the p99 it adds / nginx's).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { children, cleanup, cpuSeconds, fail, get, requireTools, say, startNginx, startNode, stop, tempDirs, waitUntilServing } from './bench-processes';
import { NODES, PICK_REPEATS, Timing, median, microbenchPick } from './pick-microbench';
import { positiveNumberFlag } from '../support/flags';
import { SERVICE_NODE_FLAGS } from '../../support/service-node-flags';

// ---------------------------------------------------------------------------------------------
// Flags

const args = process.argv.slice(2);
const json = args.includes('--json');

const numberFlag = (name: string, fallback: number): number => positiveNumberFlag(args, name, fallback, fail);

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
const FLOOR = args.includes('--floor');

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

/** direct, nginx and gateway under one kind of load. */
interface Trio {
  direct: WrkResult;
  nginx: WrkResult;
  gateway: WrkResult;
  /** With --floor: node:http and undici alone (floor-proxy.ts). */
  floor?: WrkResult;
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

/** The bench gateway with `workers` cluster workers (1: one process, as `STRATA_GATEWAY_WORKERS=1`). */
async function startGateway(v1Port: number, v2Port: number, workers: number): Promise<{ child: ChildProcess; port: number }> {
  const stateDir = mkdtempSync(join(tmpdir(), 'strata-bench-gateway-'));
  tempDirs.push(stateDir);
  const profileArgs = PROFILE_DIR && workers === 1 ? ['--cpu-prof', `--cpu-prof-dir=${resolve(PROFILE_DIR)}`] : [];
  const gateway = await startNode(
    workers === 1 ? 'gateway' : `gateway (${workers} workers)`,
    'test/bench/gateway/gateway-process.ts',
    { BENCH_V1_URL: `http://127.0.0.1:${v1Port}`, BENCH_V2_URL: `http://127.0.0.1:${v2Port}`, BENCH_STATE_DIR: stateDir, BENCH_WORKERS: String(workers) },
    // The flags the image and `npm run start:gateway` run it with (deploy/docker/Dockerfile).
    [...SERVICE_NODE_FLAGS, ...profileArgs],
  );
  await waitUntilServing(gateway.port, 'gateway');
  return gateway;
}

/** Across cores: each proxy with WORKERS workers against itself with one, saturating, alternating; the median scaling of each. */
async function measureWorkerScaling(
  tools: { nginx: string; wrk: string },
  backends: { v1: number; v2: number },
  single: { gateway: { child: ChildProcess; port: number }; nginx: { child: ChildProcess; port: number } },
): Promise<{ gateway: number; nginx: number }> {
  const scaling = { gateway: [] as number[], nginx: [] as number[] };
  const gatewayN = await startGateway(backends.v1, backends.v2, WORKERS);
  const nginxN = await startNginx(tools.nginx, backends.v1, backends.v2, WORKERS);
  await runWrk(tools.wrk, gatewayN.port, WARMUP_S || 1);
  await runWrk(tools.wrk, nginxN.port, WARMUP_S || 1);
  for (let round = 1; round <= ROUNDS; round++) {
    const pairs = [
      ['gateway', single.gateway, gatewayN],
      ['nginx', single.nginx, nginxN],
    ] as const;
    for (const [name, one, many] of round % 2 === 1 ? pairs : [...pairs].reverse()) {
      const alone = await runWrk(tools.wrk, one.port, DURATION_S, one.child);
      const multi = await runWrk(tools.wrk, many.port, DURATION_S, many.child);
      scaling[name].push(multi.rps / alone.rps);
      say(`  scaling round ${round}: ${name.padEnd(7)} 1 worker ${describe(alone, name)}`);
      say(`  scaling round ${round}: ${name.padEnd(7)} ${WORKERS} workers ${describe(multi, name)}  -> x${fmt(multi.rps / alone.rps, 3)}`);
    }
  }
  await stop(gatewayN.child);
  await stop(nginxN.child);
  return { gateway: median(scaling.gateway), nginx: median(scaling.nginx) };
}

async function main(): Promise<void> {
  const tools = requireTools();
  say(`bench:gateway: ${ROUNDS} rounds x 2 loads x ${FLOOR ? 4 : 3} targets x ${DURATION_S} s, wrk -t${THREADS}, saturating -c${CONNECTIONS}, paced -c${PACED_CONNECTIONS} every ${PACED_DELAY_MS} ms, warm-up ${WARMUP_S} s, node ${process.version}`);

  const v1 = await startNode('sample backend v1', 'apps/sample-backend/src/main.ts', { PORT: '0', STRATA_SAMPLE_VERSION: '1.0.0', STRATA_SAMPLE_NODE_ID: 'v1' });
  const v2 = await startNode('sample backend v2', 'apps/sample-backend/src/main.ts', { PORT: '0', STRATA_SAMPLE_VERSION: '2.0.0', STRATA_SAMPLE_NODE_ID: 'v2' });
  const nginx = await startNginx(tools.nginx, v1.port, v2.port);
  const gateway = await startGateway(v1.port, v2.port, 1);
  const floor = FLOOR
    ? await startNode('floor proxy', 'test/bench/gateway/floor-proxy.ts', { BENCH_V1_URL: `http://127.0.0.1:${v1.port}`, BENCH_V2_URL: `http://127.0.0.1:${v2.port}` }, [...SERVICE_NODE_FLAGS])
    : undefined;
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
    for (const port of [v1.port, nginx.port, gateway.port, ...(floor ? [floor.port] : [])]) {
      await runWrk(tools.wrk, port, WARMUP_S);
    }
  }

  // Alternate which proxy goes first so drift (other load on the machine) hits both alike.
  const runTrio = async (load: Load, nginxFirst: boolean): Promise<Trio> => {
    const direct = await runWrk(tools.wrk, v1.port, DURATION_S, v1.child, load);
    const runNginx = () => runWrk(tools.wrk, nginx.port, DURATION_S, nginx.child, load);
    const runGateway = () => runWrk(tools.wrk, gateway.port, DURATION_S, gateway.child, load);
    const [first, second] = nginxFirst ? [runNginx, runGateway] : [runGateway, runNginx];
    const one = await first();
    const two = await second();
    const pair = nginxFirst ? { nginx: one, gateway: two } : { nginx: two, gateway: one };
    return { direct, ...pair, ...(floor ? { floor: await runWrk(tools.wrk, floor.port, DURATION_S, floor.child, load) } : {}) };
  };
  const sayTrio = (trio: Trio, added: boolean): void => {
    const addedOf = (result: WrkResult) => (added ? `  (p99 added ${fmt(result.p99Ms - trio.direct.p99Ms, 3)} ms)` : '');
    say(`    direct  ${describe(trio.direct, 'v1')}`);
    say(`    nginx   ${describe(trio.nginx, 'nginx')}${addedOf(trio.nginx)}`);
    say(`    gateway ${describe(trio.gateway, 'gateway')}${addedOf(trio.gateway)}`);
    if (trio.floor) {
      say(`    floor   ${describe(trio.floor, 'floor')}${addedOf(trio.floor)}`);
    }
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

  const scaling = WORKERS > 1 ? await measureWorkerScaling(tools, { v1: v1.port, v2: v2.port }, { gateway, nginx }) : { gateway: Number.NaN, nginx: Number.NaN };
  const workerScalingRatio = scaling.gateway / scaling.nginx;
  await stop(gateway.child);
  await stop(nginx.child);
  if (floor) {
    await stop(floor.child);
  }
  await stop(v1.child);
  await stop(v2.child);
  if (PROFILE_DIR) {
    say(`gateway CPU profile written to ${resolve(PROFILE_DIR)}`);
  }

  const pick = microbenchPick(PICKS);
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
    .reduce((sum, trio) => sum + trio.direct.errors + trio.nginx.errors + trio.gateway.errors + (trio.floor?.errors ?? 0), 0);

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
    say(`worker scaling (rps with ${WORKERS} workers / 1): gateway ${fmt(scaling.gateway, 3)}, nginx ${fmt(scaling.nginx, 3)}; ratio ${fmt(workerScalingRatio, 3)}  (goal >= 0.9: ${workerScalingRatio >= 0.9 ? 'met' : 'NOT met'})`);
  }
  const floorFigures = floorSummary(rounds);
  if (errors > 0) {
    say(`WARNING: ${errors} non-2xx responses or socket errors during the runs`);
  }
  if (json) {
    const round3 = (value: number): number | null => (Number.isFinite(value) ? Math.round(value * 1_000) / 1_000 : null);
    const floorJson = floorFigures ? { floorRpsRatio: round3(floorFigures.floorRpsRatio), gatewayOverFloor: round3(floorFigures.gatewayOverFloor), floorP99Ratio: round3(floorFigures.floorP99Ratio) } : {};
    say(JSON.stringify({ rpsRatio: round3(rpsRatio), p99Ratio: round3(p99Ratio), pickNs: round3(pick.both.best), workerScalingRatio: round3(workerScalingRatio), ...floorJson }));
  }
}

/** With --floor: the floor proxy against nginx and the gateway against the floor, medians of the rounds; printed. */
function floorSummary(rounds: readonly Round[]): { floorRpsRatio: number; gatewayOverFloor: number; floorP99Ratio: number } | undefined {
  const measured = rounds.filter((round) => round.saturating.floor && round.paced.floor);
  if (measured.length === 0) {
    return undefined;
  }
  const floorRpsRatio = median(measured.map((round) => round.saturating.floor!.rps / round.saturating.nginx.rps));
  const gatewayOverFloor = median(measured.map((round) => round.saturating.gateway.rps / round.saturating.floor!.rps));
  const added = (round: Round, result: WrkResult) => result.p99Ms - round.paced.direct.p99Ms;
  // As for the gateway, a round where nginx adds no p99 (noise) has no ratio.
  const floorP99Ratio = median(measured.filter((round) => added(round, round.paced.nginx) > 0).map((round) => added(round, round.paced.floor!) / added(round, round.paced.nginx)));
  say(`floor (node:http + undici alone): rps floor/nginx ${fmt(floorRpsRatio, 3)}, gateway/floor ${fmt(gatewayOverFloor, 3)}; p99 added floor/nginx ${fmt(floorP99Ratio, 3)} (medians)`);
  return { floorRpsRatio, gatewayOverFloor, floorP99Ratio };
}

main().then(
  () => {
    cleanup();
    process.exit(0);
  },
  (error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)),
);
