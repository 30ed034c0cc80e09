import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestDatabase, createTestDatabase, eventually } from '@strata/testing';
import { Client } from 'pg';
import { RolloutBody, apiCall, startSampleBackend } from './support/api';
import { EXECUTIONS_STACK, manifest, startActionServer } from './support/execution-stack';
import { ServiceProcess } from './support/service-process';
import { closeClients, send, steadyLoad } from './support/traffic';

const STACK = EXECUTIONS_STACK;
const HOOK_SECRET = 'e2e-trigger-secret';
/** Served under both groups: group 2's lb-rule routes only /api, its network policy lets web callers in. */
const LOAD_PATH = '/api/orders';
const LOAD_HEADERS = { 'x-caller': 'web' };
/**
 * The A/A run: 30 s in `npm test` (ten of the triggers' 3 s windows; CI's time is bounded),
 * `STRATA_E2E_AA_MS=600000` for the 10 minutes the issue asks.
 */
const AA_MS = Number(process.env['STRATA_E2E_AA_MS'] ?? 30_000);
const ERRORS = 'error_rate(canary) > 2 * error_rate(stable) and error_rate(canary) > 0.01';
const SLOWER = 'latency_p99_ms(canary) > 2 * latency_p99_ms(stable)';
/** The A/A twin of shop-1: the same versions under another name. */
const TWIN = `
---
apiVersion: strata.dev/v1
kind: VersionGroup
metadata: { name: shop-1b, stack: ${STACK} }
spec: { members: { shop-db: 1.0.0, shop-api: 2.3.0, shop-lb: 1.0.0, shop-netpol: 1.0.0, shop-flags: 1.0.0 } }
`;

interface ExecutionBody {
  id: string;
  kind: string;
  status: string;
  versionGroup: string;
}
interface FiringBody {
  trigger: string;
  status: string;
  dryRun: boolean;
  rollout: string | null;
  outcome: string;
  executionId: string | null;
  executionStatus: string | null;
}

/**
 * Acceptance of issue [T], as an SRE runs it (`npm start`: every service in one process): a stack
 * of five layers, a canary deploy at 10 % under steady load, and rollback triggers declared on the
 * rollback service. An A/A canary fires nothing; a canary that starts failing is drained in seconds
 * and every layer rolled back, a dry-run trigger beside it only records, the webhooks arrive signed
 * and in order while one that is down delays nothing; a flapping canary after that is not rolled
 * back again within the cool-down. The tests run in order and share the processes.
 */
describe('rollback triggers act in seconds (embedded mode)', () => {
  let database: TestDatabase;
  let target: TestDatabase;
  let targetSql: Client;
  let dataDir: string;
  let strata: ServiceProcess;
  let api: string;
  let gateway: string;
  let actions: Awaited<ReturnType<typeof startActionServer>>;
  const backends: Record<'stable' | 'canary', { process: ServiceProcess; url: string }> = {} as never;
  let load: ReturnType<typeof steadyLoad> | undefined;

  const call = <T = Record<string, unknown>>(method: string, path: string, body?: unknown, contentType?: string) => apiCall<T>(api, method, path, body, contentType);
  const env = (path: string) => `/v1/stacks/${STACK}/environments/production${path}`;
  const firings = async () => (await call<FiringBody[]>('GET', env('/trigger-firings'))).body;
  const fault = async (which: 'stable' | 'canary', faults: Record<string, unknown>) => expect((await fetch(`${backends[which].url}/_faults`, { method: 'POST', body: JSON.stringify(faults) })).status).toBe(200);
  const execution = async (id: string) => (await call<ExecutionBody>('GET', `/v1/executions/${id}`)).body;
  const untilStatus = (id: string, statuses: string[], timeoutMs = 90_000) =>
    eventually(async () => {
      const current = await execution(id);
      expect(statuses).toContain(current.status);
      return current;
    }, timeoutMs, 200);

  async function deploy(body: Record<string, unknown>): Promise<ExecutionBody> {
    return eventually(async () => {
      const answer = await call<ExecutionBody>('POST', env('/deploy'), body);
      expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 202 });
      return answer.body;
    }, 60_000, 250);
  }

  /** A canary deploy held at 10 % (a pause without a duration): its rollout once it is there. */
  async function holdCanary(group: string): Promise<{ deploy: ExecutionBody; rollout: RolloutBody }> {
    const started = await deploy({ versionGroup: group, canary: { steps: [{ setWeight: 10 }, { pause: {} }] } });
    const rollout = await eventually(async () => {
      const rollouts = (await call<RolloutBody[]>('GET', `/v1/rollouts?stack=${STACK}`)).body;
      const found = rollouts.find((candidate) => candidate.name === `${group}-canary-${started.id.slice(0, 8)}`);
      expect(found).toMatchObject({ phase: 'paused', canaryWeight: 10 });
      return found as RolloutBody;
    }, 120_000, 250);
    return { deploy: started, rollout };
  }

  /** The operator's way out of a held canary: abort it, give the deploy up, roll the layers back to shop-1. */
  async function dropCanary(held: { deploy: ExecutionBody; rollout: RolloutBody }): Promise<void> {
    expect((await call('POST', `/v1/rollouts/${held.rollout.id}/abort`, { reason: 'e2e: done with this canary' })).status).toBe(200);
    await untilStatus(held.deploy.id, ['failed']);
    expect((await call('POST', `/v1/executions/${held.deploy.id}/abandon`)).status).toBe(200);
    const back = await eventually(async () => {
      const answer = await call<ExecutionBody>('POST', env('/rollback'), { to: 'shop-1' });
      expect(answer.status).toBe(202);
      return answer.body;
    }, 30_000, 250);
    await untilStatus(back.id, ['succeeded']);
  }

  const putTrigger = async (name: string, body: Record<string, unknown>) => expect((await call('PUT', env(`/rollback-triggers/${name}`), body)).status).toBe(201);

  beforeAll(async () => {
    [database, target] = await Promise.all([createTestDatabase('e2e-triggers'), createTestDatabase('e2e-triggers-target')]);
    targetSql = new Client({ connectionString: target.url });
    await targetSql.connect();
    dataDir = await mkdtemp(join(tmpdir(), 'strata-e2e-triggers-'));
    actions = await startActionServer();
    strata = new ServiceProcess('strata', {
      DATABASE_URL: database.url,
      STRATA_DATA_DIR: dataDir,
      STRATA_PORT: '0',
      STRATA_GATEWAY_PORT: '0',
      STRATA_GATEWAY_ADMIN_PORT: '0',
      SHOP_DB_URL: target.url,
      E2E_HOOK_SECRET: HOOK_SECRET,
      ROLLBACK_EXECUTION_TICK_MS: '200',
      LOG_LEVEL: 'warn',
    });
    strata.start();
    api = await strata.lineStartingWith('api: ', 120_000);
    gateway = await strata.lineStartingWith('gateway: ', 60_000);
    const applied = await call('POST', '/v1/apply', manifest(actions.url) + TWIN, 'application/yaml');
    expect({ status: applied.status, body: applied.body }).toMatchObject({ status: 200 });
    const heartbeat = { STRATA_HEARTBEAT_URL: api, STRATA_HEARTBEAT_INTERVAL_MS: '1000', STRATA_SAMPLE_STACK: STACK, STRATA_SAMPLE_COMPONENT: 'shop-api' };
    backends.stable = await startSampleBackend('2.3.0', 'old', heartbeat);
    backends.canary = await startSampleBackend('2.4.0', 'new', heartbeat);
    // A little latency on both, so that "slower" is a ratio of real figures.
    await fault('stable', { latencyMs: 5 });
    await fault('canary', { latencyMs: 5 });
    const first = await deploy({ versionGroup: 'shop-1' });
    await untilStatus(first.id, ['succeeded']);
    await eventually(async () => expect(await send(`${gateway}${LOAD_PATH}`, LOAD_HEADERS)).toMatchObject({ status: 200, version: '2.3.0' }), 60_000, 250);
    load = steadyLoad(`${gateway}${LOAD_PATH}`, 200, LOAD_HEADERS);
    for (const [name, when] of [['canary-errors', ERRORS], ['canary-slower', SLOWER], ['canary-unhealthy', 'health == failing']] as const) {
      await putTrigger(name, { when, action: 'rollback', ...(when === 'health == failing' ? {} : { window: '3s' }) });
    }
  }, 300_000);

  afterAll(async () => {
    await load?.stop();
    await closeClients();
    await actions?.close();
    await Promise.all([strata?.interrupt(), ...Object.values(backends).map((backend) => backend.process.stop())]);
    await targetSql?.end();
    await Promise.all([database?.drop(), target?.drop()]);
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('fires no trigger on an A/A canary (both sides the same version) under steady load', async () => {
    const held = await holdCanary('shop-1b');
    const since = performance.now();
    await new Promise((resolve) => setTimeout(resolve, AA_MS));
    const served = load?.since(since) ?? [];
    expect(served.filter((answer) => answer.stackConfig === 'shop-1b').length).toBeGreaterThan(0.05 * served.length);
    expect(await firings()).toEqual([]);
    process.stderr.write(`[T] A/A: ${served.length} requests in ${AA_MS / 1000} s, no trigger fired\n`);
    await dropCanary(held);
  }, AA_MS + 300_000);

  it('drains a canary seconds after it starts failing and rolls every layer back; a dry-run trigger only records; webhooks arrive signed and in order, one down delays nothing', async () => {
    // Dry-run twins of both conditions that may see this canary first (the gateway ejecting its node, or its error
    // rate): a twin is evaluated in the same pass as the trigger it mirrors, so the one that acts has its twin record.
    await putTrigger('canary-unhealthy-dry', { when: 'health == failing', action: 'rollback', dryRun: true });
    await putTrigger('canary-errors-dry', { when: ERRORS, window: '3s', action: 'rollback', dryRun: true });
    const channel = (name: string, url: string) => call('POST', '/v1/notification-channels', { name, format: 'json', url, secretFrom: 'E2E_HOOK_SECRET', events: ['trigger-fired', 'execution-started', 'execution-succeeded'] });
    expect((await channel('sre-hook', `${actions.url}/hooks/triggers`)).status).toBe(201);
    expect((await channel('down-hook', 'http://127.0.0.1:9/hooks')).status).toBe(201);
    const held = await holdCanary('shop-2');
    await eventually(async () => expect(load?.answers.slice(-200).some((answer) => answer.version === '2.4.0')).toBe(true), 30_000, 250);

    const t0 = performance.now();
    await fault('canary', { errorRate: 1, latencyMs: 5 });
    const drained = await eventually(async () => {
      const rollout = (await call<RolloutBody>('GET', `/v1/rollouts/${held.rollout.id}`)).body;
      expect(['aborted', 'rolled-back']).toContain(rollout.phase);
      return performance.now();
    }, 30_000, 50);
    const secondsToZeroWeight = (drained - t0) / 1000;
    const fired = await eventually(async () => {
      const live = (await firings()).filter((firing) => !firing.dryRun);
      expect(live).toEqual([expect.objectContaining({ status: 'backward-started', rollout: held.rollout.name })]);
      return live[0] as FiringBody;
    }, 60_000, 200);
    const back = await untilStatus(fired.executionId as string, ['succeeded'], 90_000);
    const secondsToFullRollback = (performance.now() - t0) / 1000;
    expect(back).toMatchObject({ kind: 'rollback', versionGroup: 'shop-1' });
    // The firing says what the trigger did; beside it, where its rollback execution stands now.
    expect((await firings()).find((firing) => firing.executionId === fired.executionId)).toMatchObject({ status: 'backward-started', executionStatus: 'succeeded' });
    await eventually(async () => expect(await send(`${gateway}/`, LOAD_HEADERS)).toMatchObject({ status: 200, version: '2.3.0' }), 30_000, 250);
    // The registry's version map follows the execution's events: an event hop behind its last step (CI once read it first).
    await eventually(async () => {
      const map = (await call<{ slots: { component: string; version: string; status: string }[] }>('GET', env('/version-map'))).body;
      expect(Object.fromEntries(map.slots.map((slot) => [slot.component, slot.version]))).toEqual({ 'shop-db': '1.0.0', 'shop-api': '2.3.0', 'shop-lb': '1.0.0', 'shop-netpol': '1.0.0', 'shop-flags': '1.0.0' });
    }, 10_000, 100);
    const columns = await targetSql.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'coupon'");
    expect(columns.rowCount).toBe(0);
    const after = load?.since(t0) ?? [];
    const clientErrorShare = after.filter((answer) => answer.status >= 500 || answer.status === 0).length / Math.max(1, after.length);
    process.stderr.write(`[T] failing canary: 0 % weight ${secondsToZeroWeight.toFixed(2)} s after the fault, every layer back ${secondsToFullRollback.toFixed(1)} s after it, client error share ${clientErrorShare.toFixed(4)} of ${after.length}; fired: ${fired.trigger}\n`);
    expect(secondsToZeroWeight).toBeLessThan(10);
    expect(secondsToFullRollback).toBeLessThan(60);
    expect(clientErrorShare).toBeLessThan(0.01);

    const dry = (await firings()).filter((firing) => firing.dryRun);
    expect(dry.map((firing) => firing.trigger)).toContain(`${fired.trigger}-dry`);
    for (const firing of dry) expect(firing).toMatchObject({ status: 'recorded', executionId: null, outcome: expect.stringMatching(/^dry run: would abort rollout/) });
    const rollbacks = (await call<{ items: ExecutionBody[] }>('GET', `/v1/executions?stack=${STACK}&limit=50`)).body.items.filter((item) => item.kind === 'rollback');
    expect(rollbacks.map((item) => item.id)).toEqual([back.id, expect.any(String)]);

    const hooks = () => actions.calls.filter((hook) => hook.path === '/hooks/triggers').map((hook) => ({ hook, body: JSON.parse(hook.body) as { type: string; data: { subject: { id: string } } } }));
    await eventually(async () => expect(hooks().filter(({ body }) => body.data.subject.id === back.id)).toHaveLength(2), 30_000, 200);
    const told = hooks().map(({ body }) => `${body.type.replace('io.strata.notification.', '')} ${body.data.subject.id}`);
    const trigger = told.findIndex((line) => line === `trigger-fired.v1 ${fired.trigger}`);
    expect(trigger).toBeGreaterThanOrEqual(0);
    expect(told.slice(trigger + 1).filter((line) => line.endsWith(back.id))).toEqual([`execution-started.v1 ${back.id}`, `execution-succeeded.v1 ${back.id}`]);
    for (const { hook } of hooks()) {
      const timestamp = String(hook.headers['x-strata-timestamp']);
      expect(hook.headers['x-strata-signature']).toBe(`sha256=${createHmac('sha256', HOOK_SECRET).update(`${timestamp}.${hook.body}`).digest('hex')}`);
    }
  }, 300_000);

  it('does not roll back again within the cool-down when the next canary flaps', async () => {
    await fault('canary', { latencyMs: 5 });
    // Dry runs may record (they act on nothing, so the environment's cool-down does not hold them): count the others.
    const acted = async () => (await firings()).filter((firing) => !firing.dryRun).length;
    const before = await acted();
    const held = await holdCanary('shop-2');
    try {
      for (let flap = 0; flap < 4; flap++) {
        await fault('canary', { errorRate: 1, latencyMs: 5 });
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        await fault('canary', { latencyMs: 5 });
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
      expect(await acted()).toBe(before);
      expect((await call<RolloutBody>('GET', `/v1/rollouts/${held.rollout.id}`)).body).toMatchObject({ phase: 'paused', canaryWeight: 10 });
    } finally {
      await fault('canary', { latencyMs: 5 });
      await dropCanary(held);
    }
  }, 300_000);

  it('rolls every layer back when the group regresses after its promotion (its nodes fail), not only the traffic', async () => {
    await putTrigger('group-unhealthy', { when: 'health == failing', scope: { versionGroup: 'shop-2' }, action: 'rollback', coolDown: '0s' });
    const promoted = await deploy({ versionGroup: 'shop-2' });
    await untilStatus(promoted.id, ['succeeded']);
    await eventually(async () => expect(await send(`${gateway}${LOAD_PATH}`, LOAD_HEADERS)).toMatchObject({ status: 200, version: '2.4.0' }), 30_000, 250);
    const t0 = performance.now();
    await fault('canary', { errorRate: 1, latencyMs: 5 });
    const fired = await eventually(async () => {
      const found = (await firings()).find((firing) => firing.trigger === 'group-unhealthy');
      expect(found).toMatchObject({ status: 'backward-started', rollout: null });
      return found as FiringBody;
    }, 60_000, 200);
    const back = await untilStatus(fired.executionId as string, ['succeeded'], 90_000);
    expect(back).toMatchObject({ kind: 'rollback', versionGroup: 'shop-1' });
    await eventually(async () => expect(await send(`${gateway}${LOAD_PATH}`, LOAD_HEADERS)).toMatchObject({ status: 200, version: '2.3.0' }), 30_000, 250);
    process.stderr.write(`[T] promoted group regressed: every layer back ${((performance.now() - t0) / 1000).toFixed(1)} s after its nodes failed\n`);
    await fault('canary', { latencyMs: 5 });
  }, 300_000);
});
