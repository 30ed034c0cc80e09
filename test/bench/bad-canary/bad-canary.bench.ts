/*
 * npm run bench:bad-canary [-- --json] [-- --scenario errors|latency|both --rps 300 --connections 32
 *                           --warmup 5 --timeout 60 --base-latency-ms 20]
 *
 * How fast a bad canary is taken out of the traffic and rolled back, by a rollback trigger, under
 * steady load. Per scenario, on a fresh setup (bad-canary-setup.ts: Strata embedded, a fresh
 * database, the five-layer stack of the executions e2e, group shop-1 deployed, shop-2 held as a
 * canary at 10 %), with `--rps` GETs a second through the gateway on keep-alive connections:
 *   1. a rollback trigger is PUT on the canary's group (`action: rollback`);
 *   2. t0: the canary backend turns bad: `errors` answers 500 to everything, `latency` answers 5×
 *      slower than the base latency both backends have from the start;
 *   3. the rollout is polled every 50 ms until its canary weight is 0, then the executions and the
 *      version map until the rollback execution succeeded and every layer is back at the version
 *      it had under shop-1.
 * Reported per scenario: seconds from t0 to weight 0 (cross-checked with the last request the
 * gateway routed to the canary), the share of client requests that failed from t0 to the end, and
 * seconds from t0 to the full rollback; beside the goals and the documented defaults of Flagger and
 * Argo Rollouts. With --json the last line is
 *   {"secondsToZeroWeight":…,"clientErrorShare":…,"secondsToFullRollback":…,
 *    "latency":{"secondsToZeroWeight":…,"clientErrorShare":…}}   (top level: the errors scenario)
 */
import { ClientAnswer, startLoad } from './client-load';
import { BadCanarySetup, CANARY_GROUP, CANARY_VERSION, ENVIRONMENT, ExecutionBody, LOAD_HEADERS, LOAD_PATH, Resources, RolloutBody, STABLE_GROUP, STACK, VersionMapBody, startSetup } from './bad-canary-setup';
import { ScenarioName, ScenarioResult, printScenario, printSummary } from './bad-canary-report';
import { positiveNumberFlag } from '../support/flags';

// ---------------------------------------------------------------------------------------------
// Flags

const args = process.argv.slice(2);
const json = args.includes('--json');

function fail(message: string): never {
  process.stderr.write(`bench:bad-canary: ${message}\n`);
  process.exit(1);
}

const numberFlag = (name: string, fallback: number): number => positiveNumberFlag(args, name, fallback, fail);

function scenarioFlag(): ScenarioName[] {
  const index = args.indexOf('--scenario');
  const value = index === -1 ? 'both' : args[index + 1];
  if (value === 'both') {
    return ['errors', 'latency'];
  }
  if (value === 'errors' || value === 'latency') {
    return [value];
  }
  return fail(`--scenario must be errors, latency or both, got '${value ?? ''}'`);
}

const SCENARIOS = scenarioFlag();
const RPS = numberFlag('rps', 300);
const CONNECTIONS = Math.round(numberFlag('connections', 32));
const WARMUP_S = numberFlag('warmup', 5);
const TIMEOUT_S = numberFlag('timeout', 60);
const BASE_LATENCY_MS = numberFlag('base-latency-ms', 20);
const POLL_MS = 50;
/** Load kept on after the full rollback, so that the error share also covers the settled state. */
const TAIL_MS = 1_000;

// ---------------------------------------------------------------------------------------------
// Scenarios

interface ScenarioSpec {
  name: ScenarioName;
  /** What the canary backend does from t0. */
  fault: { errorRate?: number; latencyMs: number };
  when: string;
}

const SPECS: Record<ScenarioName, ScenarioSpec> = {
  errors: { name: 'errors', fault: { errorRate: 1, latencyMs: BASE_LATENCY_MS }, when: 'error_rate(canary) > 2 * error_rate(stable) and error_rate(canary) > 0.01' },
  latency: { name: 'latency', fault: { latencyMs: 5 * BASE_LATENCY_MS }, when: 'latency_p99_ms(canary) > 2 * latency_p99_ms(stable)' },
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (line: string) => process.stdout.write(`${line}\n`);

/**
 * The triggers an SRE declares for the canary group: the scenario's KPI condition, and
 * `health == failing` (the gateway left without an available node of the group: it ejects a node
 * failing every request after a handful of them, and then the canary serves too little for a KPI
 * window). The bench stops here, loudly, where the rollback-triggers API is not served.
 */
async function putTriggers(setup: BadCanarySetup, spec: ScenarioSpec): Promise<string[]> {
  const common = { scope: { versionGroup: CANARY_GROUP }, action: 'rollback', coolDown: '10m', dryRun: false };
  const triggers: [string, Record<string, unknown>][] = [
    [`bad-canary-${spec.name}`, { when: spec.when, window: '3s', for: '0s', ...common }],
    ['bad-canary-unhealthy', { when: 'health == failing', ...common }],
  ];
  const paths: string[] = [];
  for (const [name, body] of triggers) {
    const path = `/v1/stacks/${STACK}/environments/${ENVIRONMENT}/rollback-triggers/${name}`;
    const answer = await setup.call('PUT', path, body);
    if (answer.status !== 200 && answer.status !== 201) {
      throw new Error(
        `PUT ${path} answered ${answer.status} (${JSON.stringify(answer.body)}): this build serves no rollback-triggers API, ` +
          'which the bench measures; nothing was timed. Everything before it (Strata, backends, group 1 deployed, the canary at 10 % under load) was set up.',
      );
    }
    paths.push(path);
  }
  return paths;
}

/** Which trigger fired first, and what it saw. */
async function firstFiring(setup: BadCanarySetup): Promise<string> {
  const answer = await setup.call('GET', `/v1/stacks/${STACK}/environments/${ENVIRONMENT}/trigger-firings`);
  const firings = (answer.body as unknown as { trigger: string; firedAt: string; evidence: string }[]) ?? [];
  const first = [...firings].sort((left, right) => left.firedAt.localeCompare(right.firedAt))[0];
  return first ? `${first.trigger}: ${first.evidence}` : 'no trigger fired';
}

interface Watched {
  zeroWeightAt: number | undefined;
  fullRollbackAt: number | undefined;
  rollback: ExecutionBody | undefined;
  rolloutPhase: string;
}

/** True when every layer is back at the version it had before the canary, and deployed. */
function backAtPrevious(map: VersionMapBody, previous: Record<string, string>): boolean {
  const now = Object.fromEntries(map.slots.map((slot) => [slot.component, slot]));
  return Object.entries(previous).every(([component, version]) => now[component]?.version === version && now[component]?.status === 'deployed');
}

/** Polls the rollout (weight 0), then the executions and the version map (full rollback), every 50 ms. */
async function watchRollback(setup: BadCanarySetup, t0: number): Promise<Watched> {
  const deadline = t0 + TIMEOUT_S * 1_000;
  const watched: Watched = { zeroWeightAt: undefined, fullRollbackAt: undefined, rollback: undefined, rolloutPhase: setup.rollout.phase };
  while (performance.now() < deadline && watched.fullRollbackAt === undefined) {
    const polledAt = performance.now();
    if (watched.zeroWeightAt === undefined) {
      const rollout = await setup.call<RolloutBody>('GET', `/v1/rollouts/${setup.rollout.id}`);
      watched.rolloutPhase = `${rollout.body.phase} at ${rollout.body.canaryWeight} %`;
      if (rollout.body.canaryWeight === 0) {
        watched.zeroWeightAt = performance.now();
      }
    } else {
      const executions = await setup.call<{ items: ExecutionBody[] }>('GET', `/v1/executions?stack=${STACK}`);
      watched.rollback = executions.body.items.find((execution) => execution.kind === 'rollback');
      if (watched.rollback?.status === 'succeeded') {
        const map = await setup.call<VersionMapBody>('GET', `/v1/stacks/${STACK}/environments/${ENVIRONMENT}/version-map`);
        if (backAtPrevious(map.body, setup.previousVersions)) {
          watched.fullRollbackAt = performance.now();
        }
      }
    }
    await sleep(Math.max(0, POLL_MS - (performance.now() - polledAt)));
  }
  return watched;
}

/** Routed to the canary: answered by its version, or retried on stable after failing there. */
const routedToCanary = (answer: ClientAnswer): boolean => answer.version === CANARY_VERSION || answer.retriedFrom === CANARY_GROUP;
const failed = (answer: ClientAnswer): boolean => answer.status < 200 || answer.status >= 300;

/** The canary's share of the warm-up load: proof that it holds its 10 % before the fault. */
function checkCanaryShare(answers: readonly ClientAnswer[]): number {
  const share = answers.filter(routedToCanary).length / Math.max(1, answers.length);
  const errors = answers.filter(failed).length;
  say(`  warm-up: ${answers.length} requests, ${(share * 100).toFixed(1)} % routed to the canary, ${errors} failed`);
  if (share === 0) {
    throw new Error('the canary took no request during the warm-up: it does not hold its weight, nothing to measure');
  }
  return share;
}

async function runScenario(spec: ScenarioSpec): Promise<ScenarioResult> {
  say(`scenario ${spec.name}: setting up (fresh database, Strata embedded, 2 backends at ${BASE_LATENCY_MS} ms, ${STABLE_GROUP} deployed, ${CANARY_GROUP} canary at 10 %)`);
  const setupStarted = performance.now();
  const resources = new Resources();
  active = resources;
  try {
    const setup = await startSetup(BASE_LATENCY_MS, resources);
    const load = startLoad({ url: `${setup.gateway}${LOAD_PATH}`, headers: { ...LOAD_HEADERS }, rps: RPS, connections: CONNECTIONS, timeoutMs: 10_000 });
    resources.add(() => load.stop());
    say(`  set up in ${((performance.now() - setupStarted) / 1_000).toFixed(1)} s; rollout ${setup.rollout.name} ${setup.rollout.phase} at ${setup.rollout.canaryWeight} %; load ${RPS} rps on ${CONNECTIONS} keep-alive connections`);
    await sleep(WARMUP_S * 1_000);
    const canaryShare = checkCanaryShare(load.answers);
    const triggers = await putTriggers(setup, spec);
    say(`  triggers PUT ${triggers.join(', ')}: when ${spec.when} | health == failing`);

    await setup.fault('canary', spec.fault);
    const t0 = performance.now();
    say(`  t0: canary backend faulted ${JSON.stringify(spec.fault)}`);
    const watched = await watchRollback(setup, t0);
    await sleep(TAIL_MS);
    const end = performance.now();
    await load.stop();

    say(`  fired first: ${await firstFiring(setup)}`);
    const after = load.answers.filter((answer) => answer.sentAt >= t0 && answer.sentAt <= end);
    const lastOnCanary = after.filter(routedToCanary).reduce<number | undefined>((latest, answer) => Math.max(latest ?? t0, answer.sentAt), undefined);
    const seconds = (at: number | undefined) => (at === undefined ? null : (at - t0) / 1_000);
    return {
      name: spec.name,
      fault: JSON.stringify(spec.fault),
      canaryShareBefore: canaryShare,
      secondsToZeroWeight: seconds(watched.zeroWeightAt),
      secondsToLastCanaryRequest: seconds(lastOnCanary),
      requestsToCanaryAfterT0: after.filter(routedToCanary).length,
      requests: after.length,
      failedRequests: after.filter(failed).length,
      skippedRequests: load.skipped,
      secondsToFullRollback: seconds(watched.fullRollbackAt),
      rollbackSteps: watched.rollback ? `${watched.rollback.status}: ${watched.rollback.steps.map((step) => `${step.action} ${step.component}`).join(', ')}` : 'none started',
      rolloutAtEnd: watched.rolloutPhase,
      timeoutS: TIMEOUT_S,
    };
  } finally {
    await resources.release();
    active = undefined;
  }
}

// ---------------------------------------------------------------------------------------------

/** What the scenario running now started: released on Ctrl-C so that no process or database outlives the bench. */
let active: Resources | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`bench:bad-canary: ${signal}, stopping every process\n`);
    void (active?.release() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  say(`bench:bad-canary: scenarios ${SCENARIOS.join(', ')}; ${RPS} rps, warm-up ${WARMUP_S} s, timeout ${TIMEOUT_S} s after t0, base latency ${BASE_LATENCY_MS} ms, node ${process.version}`);
  const results: Partial<Record<ScenarioName, ScenarioResult>> = {};
  for (const name of SCENARIOS) {
    const result = await runScenario(SPECS[name]);
    results[name] = result;
    printScenario(result, say);
  }
  printSummary(results, say);
  if (json) {
    const round = (value: number | null | undefined, digits = 3): number | null => (value === null || value === undefined ? null : Number(value.toFixed(digits)));
    const share = (result: ScenarioResult | undefined) => (result ? round(result.failedRequests / Math.max(1, result.requests), 5) : null);
    say(
      JSON.stringify({
        secondsToZeroWeight: round(results.errors?.secondsToZeroWeight),
        clientErrorShare: share(results.errors),
        secondsToFullRollback: round(results.errors?.secondsToFullRollback),
        latency: { secondsToZeroWeight: round(results.latency?.secondsToZeroWeight), clientErrorShare: share(results.latency) },
      }),
    );
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => fail(error instanceof Error ? error.message : String(error)),
);
