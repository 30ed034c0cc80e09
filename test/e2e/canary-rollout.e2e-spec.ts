import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@strata/testing';
import { ServiceProcess } from './support/service-process';
import { RolloutBody, apiCall, registerDeployedStack, startSampleBackend } from './support/api';
import { closeClients, countBy, send, steadyLoad } from './support/traffic';

const STACK = 'shop';
const COMPONENT = 'shop-api';
const STABLE = 'shop-2.3.0';
/** The same version as STABLE under another name: the A/A canary. */
const STABLE_TWIN = 'shop-2.3.0-b';
const CANARY = 'shop-2.4.0';
const LOAD_RPS = 100;

interface TransitionBody {
  from: string | null;
  to: string;
  reason: string;
}


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Acceptance of issue [C], the README's rollout story as a new user runs it: `npm start` (every
 * service and the gateway in one process, embedded PostgreSQL, in-memory bus), two sample
 * backends that announce themselves by heartbeat (2.3.0 and 2.4.0), a routing policy that lists no
 * node, steady traffic through the gateway, and rollouts whose canary is made faulty mid-way.
 * The tests run in order and share the processes.
 */
describe('canary rollouts, as the README tells them (embedded mode)', () => {
  let dataDir: string;
  let strata: ServiceProcess;
  let api: string;
  let gateway: string;
  const backends: Record<'stable' | 'canary', { process: ServiceProcess; url: string }> = {} as never;
  let load: ReturnType<typeof steadyLoad>;

  const call = <T = Record<string, unknown>>(method: string, path: string, body?: unknown, contentType = 'application/json') => apiCall<T>(api, method, path, body, contentType);

  const startBackend = (version: string, nodeId: string) =>
    startSampleBackend(version, nodeId, { STRATA_HEARTBEAT_URL: api, STRATA_HEARTBEAT_INTERVAL_MS: '1000', STRATA_SAMPLE_STACK: STACK, STRATA_SAMPLE_COMPONENT: COMPONENT });


  async function fault(which: 'stable' | 'canary', faults: Record<string, unknown> | null): Promise<void> {
    const response = await fetch(`${backends[which].url}/_faults`, faults ? { method: 'POST', body: JSON.stringify(faults) } : { method: 'DELETE' });
    expect(response.status).toBe(200);
  }

  const rollout = async (id: string): Promise<RolloutBody> => (await call<RolloutBody>('GET', `/v1/rollouts/${id}`)).body;
  const transitions = async (id: string): Promise<TransitionBody[]> => (await call<TransitionBody[]>('GET', `/v1/rollouts/${id}/transitions`)).body;

  async function startRollout(name: string, canary: string, steps: object[], rollbackTriggers?: object[]): Promise<string> {
    // The canary's node must be back in the gateway after an earlier fault: until then the start is refused (412).
    const created = await eventually(
      async () => {
        const answer = await call<RolloutBody>('POST', `/v1/stacks/${STACK}/rollouts`, { name, spec: { environment: 'production', versionGroup: canary, steps, ...(rollbackTriggers ? { rollbackTriggers } : {}) } });
        expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 201 });
        return answer.body;
      },
      30_000,
      500,
    );
    return created.id;
  }

  /** Waits until the rollout reaches one of `phases`, failing at once if it reaches a phase it must never reach. */
  async function untilPhase(id: string, phases: string[], timeoutMs: number, never: string[] = []): Promise<RolloutBody> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = await rollout(id);
      expect({ never: never.includes(current.phase), current }).toMatchObject({ never: false });
      if (phases.includes(current.phase)) {
        return current;
      }
      if (Date.now() > deadline) {
        throw new Error(`rollout ${id} still ${current.phase} after ${timeoutMs} ms: ${current.reason}\n${JSON.stringify(await transitions(id), null, 1)}`);
      }
      await sleep(250);
    }
  }

  async function untilStep(id: string, stepIndex: number, timeoutMs: number): Promise<void> {
    await eventually(async () => expect(await rollout(id)).toMatchObject({ phase: 'progressing', stepIndex }), timeoutMs, 250);
  }

  /** Sum of a gateway metric of a stack config over [start, end), from metrics-ingest: what the gateway flushed. */
  async function storedSum(stackConfig: string, metric: string, start: number, end: number): Promise<number> {
    const search = await call<{ items: { id: string }[] }>('GET', `/v1/series?stack=${STACK}&stackConfig=${stackConfig}&metric=${metric}`);
    let total = 0;
    for (const series of search.body.items) {
      const range = await call<{ points: { value: number }[] }>('GET', `/v1/series/${series.id}/range?start=${start}&end=${end}&step=10000&aggregation=sum`);
      total += range.body.points.reduce((sum, point) => sum + point.value, 0);
    }
    return total;
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'strata-e2e-canary-'));
    strata = new ServiceProcess('strata', { STRATA_DATA_DIR: dataDir, STRATA_PORT: '0', STRATA_GATEWAY_PORT: '0', STRATA_GATEWAY_ADMIN_PORT: '0', LOG_LEVEL: 'warn' });
    strata.start();
    api = await strata.lineStartingWith('api: ', 120_000);
    gateway = await strata.lineStartingWith('gateway: ', 60_000);

    // The stack as an SRE registers it: one app component, two versions, three version groups
    // (two of 2.3.0 for the A/A run), all deployed to production.
    await registerDeployedStack(api, STACK, COMPONENT, [
      [STABLE, '2.3.0'],
      [STABLE_TWIN, '2.3.0'],
      [CANARY, '2.4.0'],
    ]);
    backends.stable = await startBackend('2.3.0', 'node-a');
    backends.canary = await startBackend('2.4.0', 'node-b');
  }, 240_000);

  afterAll(async () => {
    await load?.stop();
    await closeClients();
    await Promise.all([strata?.interrupt(), ...Object.values(backends).map((backend) => backend.process.stop())]);
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('routes to heartbeated nodes that no policy lists, and the version map flags neither version', async () => {
    const policy = {
      component: COMPONENT,
      stableConfig: STABLE,
      // No node listed: each stack config gets the heartbeated nodes running its version.
      stackConfigs: [
        { name: STABLE, weight: 100 },
        { name: STABLE_TWIN, weight: 0 },
        { name: CANARY, weight: 0 },
      ],
      healthCheck: { path: '/healthz', intervalMs: 250 },
      outlierDetection: { consecutiveFailures: 3, baseEjectionMs: 1_000, maxEjectionMs: 4_000 },
    };
    const put = await eventually(
      async () => {
        const answer = await call<{ version: number; config: { stackConfigs: { name: string; nodes: { url: string }[] }[] } }>('PUT', `/v1/stacks/${STACK}/environments/production/routing-policy`, policy);
        expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 200 });
        const nodes = Object.fromEntries(answer.body.config.stackConfigs.map((stackConfig) => [stackConfig.name, stackConfig.nodes.map((node) => node.url)]));
        expect(nodes).toEqual({ [STABLE]: [backends.stable.url], [STABLE_TWIN]: [backends.stable.url], [CANARY]: [backends.canary.url] });
        return answer.body;
      },
      60_000,
      500,
    );
    expect(put.version).toBeGreaterThanOrEqual(1);

    await eventually(
      async () => {
        const answers = await Promise.all(Array.from({ length: 20 }, () => send(gateway)));
        expect(countBy(answers, (answer) => `${answer.status} ${answer.stackConfig} ${answer.version}`)).toEqual({ [`200 ${STABLE} 2.3.0`]: 20 });
      },
      30_000,
      250,
    );
    const map = await call<{ nodes: { url: string; discoveredVersion: string; versionMismatch: boolean }[] }>('GET', `/v1/stacks/${STACK}/environments/production/version-map`);
    expect(map.body.nodes.map((node) => `${node.url} ${node.discoveredVersion} ${node.versionMismatch}`).sort()).toEqual(
      [`${backends.stable.url} 2.3.0 false`, `${backends.canary.url} 2.4.0 false`].sort(),
    );
    load = steadyLoad(gateway, LOAD_RPS);
  }, 120_000);

  it('passes every analysis of an A/A rollout (the same version on both sides) under steady load, and promotes it', async () => {
    const id = await startRollout('a-a', STABLE_TWIN, [{ setWeight: 20 }, { analysis: { window: '20s', minSamples: 100 } }, { setWeight: 50 }, { analysis: { window: '20s', minSamples: 100 } }, { setWeight: 100 }]);
    await untilPhase(id, ['promoted'], 120_000, ['aborted', 'rolled-back']);
    const reasons = (await transitions(id)).map((transition) => transition.reason);
    expect(reasons.filter((reason) => /^analysis of step \d passed/.test(reason))).toHaveLength(2);
    expect(reasons.some((reason) => /inconclusive|held/.test(reason))).toBe(false);
  }, 180_000);

  it('aborts, during its analysis, a canary that starts returning 30 % errors, and never promotes it; the judge counted what the gateway flushed', async () => {
    const started = performance.now();
    const id = await startRollout('errors', CANARY, [{ setWeight: 20 }, { analysis: { window: '15s', minSamples: 100 } }, { setWeight: 50 }, { analysis: { window: '40s', minSamples: 100 } }, { setWeight: 100 }]);
    await untilStep(id, 3, 60_000);
    await sleep(10_000);
    await fault('canary', { errorRate: 0.3 });

    const aborted = await untilPhase(id, ['aborted', 'rolled-back'], 90_000, ['promoted']);
    await fault('canary', null);
    expect(aborted.reason).toMatch(/^analysis of step 4 failed: /);
    expect(aborted.reason).toMatch(/critical metric error-rate|error-rate: regression/);
    expect((await transitions(id)).some((transition) => transition.to === 'promoted')).toBe(false);
    // Users saw the canary's faults as little as the retry budget allows: GETs failed on it are retried on stable.
    const served = load.since(started);
    expect(served.filter((answer) => answer.status === 200).length / served.length).toBeGreaterThan(0.95);

    // The judge's counts are the gateway's own, as flushed to metrics-ingest, for the same windows.
    const judged = /judged KPI windows: canary (\S+)–(\S+) (\d+) errors in (\d+) requests; stable (\S+)–(\S+) (\d+) errors in (\d+) requests/.exec(aborted.reason ?? '');
    expect(judged).not.toBeNull();
    const [, canaryFrom, canaryTo, canaryErrors, canaryRequests, stableFrom, stableTo, stableErrors, stableRequests] = judged as RegExpExecArray;
    const window = (from: string, to: string) => [Date.parse(from), Date.parse(to)] as const;
    const stored = async (stackConfig: string, [from, to]: readonly [number, number]) => ({
      errors: (await storedSum(stackConfig, 'gateway_errors_5xx_total', from, to)) + (await storedSum(stackConfig, 'gateway_errors_connect_total', from, to)),
      requests: await storedSum(stackConfig, 'gateway_requests_total', from, to),
    });
    expect(await stored(CANARY, window(canaryFrom, canaryTo))).toEqual({ errors: Number(canaryErrors), requests: Number(canaryRequests) });
    expect(await stored(STABLE_TWIN, window(stableFrom, stableTo))).toEqual({ errors: Number(stableErrors), requests: Number(stableRequests) });
    expect(Number(canaryErrors) / Number(canaryRequests)).toBeGreaterThan(0.05);
    await untilPhase(id, ['rolled-back'], 30_000);
  }, 240_000);

  it('starts a Rollout applied as a manifest within the apply\'s answer, and its error-rate trigger aborts it seconds after the fault', async () => {
    const manifest = [
      'apiVersion: strata.dev/v1',
      'kind: Rollout',
      `metadata: { name: shop-2.4.0-canary, stack: ${STACK} }`,
      'spec:',
      '  environment: production',
      `  versionGroup: ${CANARY}`,
      '  steps:',
      '    - setWeight: 50',
      '    - analysis: { window: 2m, minSamples: 100 }',
      '    - setWeight: 100',
      '  rollbackTriggers:',
      '    - { when: "judge == Fail" }',
      '    - { when: "error_rate(canary) > 2 * error_rate(stable) and error_rate(canary) > 0.01", for: 5s }',
      '    - { when: "anomaly(severity >= high, scope = canary)" }',
    ].join('\n');
    const applied = await eventually(
      async () => {
        const answer = await call<{ changes: { kind: string; rollout?: { status: string; rolloutId: string } }[] }>('POST', '/v1/apply', manifest, 'application/yaml');
        expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 200 });
        return answer.body;
      },
      30_000,
      1_000,
    );
    const declared = applied.changes.find((change) => change.kind === 'Rollout');
    expect(declared?.rollout).toMatchObject({ status: 'started' });
    const id = declared?.rollout?.rolloutId as string;
    expect(await rollout(id)).toMatchObject({ phase: 'progressing', stepIndex: 1, canaryWeight: 50 });

    await sleep(2_000);
    const faultAt = Date.now();
    await fault('canary', { errorRate: 0.3 });
    const aborted = await untilPhase(id, ['aborted', 'rolled-back'], 60_000, ['promoted']);
    const reactedInMs = Date.now() - faultAt;
    await fault('canary', null);
    // The rollback service watches the Rollout's triggers (named <rollout>.<index>) on the gateway's 1 s flushes.
    expect(aborted.reason).toContain('rollback trigger shop-2.4.0-canary.1 fired: "error_rate(canary) > 2 * error_rate(stable) and error_rate(canary) > 0.01" held: over the last 5 s of gateway flushes');
    // `for: 5s` of holding, then a flush, an abort request and a policy change: 4–8 s on a quiet machine, while the
    // 2-minute analysis was far from over. The bound leaves room for a loaded CI machine (17.9 s seen once) and
    // still fails a trigger that waited for the analysis's window.
    expect(reactedInMs).toBeLessThan(40_000);
    process.stderr.write(`[C] error-rate trigger aborted the canary ${reactedInMs} ms after the fault\n`);
    await untilPhase(id, ['rolled-back'], 30_000);
  }, 180_000);

  it('fails by the judge a canary made 50 ms slower, on its latency alone', async () => {
    await fault('canary', { latencyMs: 50 });
    const id = await startRollout('slow', CANARY, [{ setWeight: 50 }, { analysis: { window: '30s', minSamples: 100 } }, { setWeight: 100 }]);
    const aborted = await untilPhase(id, ['aborted', 'rolled-back'], 90_000, ['promoted']);
    await fault('canary', null);
    expect(aborted.reason).toMatch(/^analysis of step 2 failed: /);
    expect(aborted.reason).toMatch(/latency-ms: regression: canary shift \+(4\d|5\d|6\d)(\.\d+)?/);
    expect(aborted.reason).not.toMatch(/critical metric error-rate/);
    await untilPhase(id, ['rolled-back'], 30_000);
  }, 180_000);

  it('serves from the previous stable, with no 503, when the promoted canary\'s only node fails; and an undo puts traffic back on it within a second', async () => {
    const id = await startRollout('promote', CANARY, [{ setWeight: 100 }]);
    expect(await rollout(id)).toMatchObject({ phase: 'promoted', canaryWeight: 100 });
    await eventually(async () => expect(countBy(load.since(performance.now() - 1_000), (answer) => answer.version)).toEqual({ '2.4.0': expect.any(Number) }), 10_000, 250);

    const failedAt = performance.now();
    await fault('canary', { resetConnections: true });
    await sleep(8_000);
    const duringFailure = load.since(failedAt).filter((answer) => answer.sentAt < performance.now() - 1_000);
    const statuses = countBy(duringFailure, (answer) => String(answer.status));
    expect(statuses['503'] ?? 0).toBe(0);
    expect((statuses['200'] ?? 0) / duringFailure.length).toBeGreaterThan(0.98);
    expect(countBy(duringFailure.slice(-100), (answer) => answer.version)).toEqual({ '2.3.0': 100 });

    await fault('canary', null);
    await eventually(async () => expect(countBy(load.since(performance.now() - 1_000), (answer) => answer.version)).toEqual({ '2.4.0': expect.any(Number) }), 20_000, 250);

    const undoAt = performance.now();
    const undone = await call<RolloutBody>('POST', `/v1/rollouts/${id}/undo`, { reason: 'e2e: undo the promotion' });
    expect({ status: undone.status, body: undone.body }).toMatchObject({ status: 200, body: { phase: 'rolled-back' } });
    await sleep(2_500);
    const afterUndo = load.since(undoAt);
    const lastOnCanary = afterUndo.filter((answer) => answer.version === '2.4.0').reduce((latest, answer) => Math.max(latest, answer.sentAt), undoAt);
    expect(lastOnCanary - undoAt).toBeLessThanOrEqual(1_000);
    process.stderr.write(`[C] fallback while the canary failed: ${JSON.stringify(statuses)}; undo: last request on the canary ${Math.round(lastOnCanary - undoAt)} ms after it\n`);
    expect(countBy(afterUndo, (answer) => String(answer.status))).toEqual({ '200': afterUndo.length });
  }, 120_000);
});
