import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestDatabase, createTestDatabase, eventually, requireKafkaBrokers, uniqueTopicPrefix } from '@strata/testing';
import { portOrFree } from '@strata/runtime';
import { Client } from 'pg';
import { apiCall, startSampleBackend } from './support/api';
import { executionDone, schemaDump, startExecution } from './support/executions';
import { ServiceProcess, distributedModeEnv, waitForGatewayStarted, waitForHealthy } from './support/service-process';
import { EXECUTIONS_STACK, manifest, startActionServer } from './support/execution-stack';
import { closeClients, send, steadyLoad } from './support/traffic';

const STACK = EXECUTIONS_STACK;
const HOOK_SECRET = 'e2e-shared-secret';

interface StepBody {
  index: number;
  component: string;
  type: string;
  action: string;
  status: string;
  error: string | null;
  outcome: string | null;
}

interface ExecutionBody {
  id: string;
  kind: string;
  status: string;
  versionGroup: string;
  fromVersionGroup: string | null;
  steps: StepBody[];
  failedStep: StepBody | null;
  stepsNotRun: string[];
}

/**
 * Acceptance of issue [B]: registry, routing-control, the rollback service and a gateway as
 * separate processes on PostgreSQL and Kafka, sample backends of both app versions announcing
 * themselves by heartbeat, and a target database the db-schema layer migrates. A version group of
 * every layer is deployed forward and rolled back, and the rollback service is SIGKILLed in the
 * middle of executions, at a different step each time.
 */
describe('executions across every layer (distributed mode)', () => {
  const brokers = requireKafkaBrokers();
  const topicPrefix = uniqueTopicPrefix('e2e-exec');
  let database: TestDatabase;
  let target: TestDatabase;
  let sql: Client;
  let targetSql: Client;
  let stateDir: string;
  let rollbackEnv: Record<string, string>;
  let rollbackUrl: string;
  let registryUrl: string;
  let routingUrl: string;
  let gatewayUrl: string;
  const processes: Record<string, ServiceProcess> = {};
  const backends: { process: ServiceProcess; url: string }[] = [];
  let actions: Awaited<ReturnType<typeof startActionServer>>;

  const api = <T = Record<string, unknown>>(base: string, method: string, path: string, body?: unknown, contentType?: string) => apiCall<T>(base, method, path, body, contentType);
  const execution = async (id: string) => (await api<ExecutionBody>(rollbackUrl, 'GET', `/v1/executions/${id}`)).body;

  const untilDone = (id: string, timeoutMs = 90_000) => executionDone<ExecutionBody>(rollbackUrl, id, timeoutMs, 200);
  const start = (kind: 'deploy' | 'rollback', body: Record<string, unknown>) => startExecution<ExecutionBody>(rollbackUrl, STACK, kind, body, 30_000, 250);
  /** The canary rollout a deploy's traffic step started, once paused; a failure shows the execution as it stands. */
  const pausedRolloutOf = (executionId: string) =>
    eventually(async () => {
      const rollouts = await api<{ id: string; name: string; phase: string }[]>(routingUrl, 'GET', `/v1/rollouts?stack=${STACK}`);
      const found = rollouts.body.find((candidate) => candidate.name === `shop-2-canary-${executionId.slice(0, 8)}`);
      if (found?.phase !== 'paused') {
        // jest's diff would print the phase alone: the rollouts and the execution say why.
        throw new Error(`no paused rollout yet: ${JSON.stringify({ found, rollouts: found ? undefined : rollouts.body, execution: await execution(executionId) })}`);
      }
      return found;
    }, 60_000, 250);

  function startRollback(): void {
    processes['rollback'] = new ServiceProcess('rollback', rollbackEnv);
    processes['rollback'].start();
  }

  const targetSchema = () => schemaDump(target.url);

  /** What the gateway does with the three probes whose answers depend on the lb-rule and network-policy versions. */
  async function behaviour(): Promise<Record<string, string>> {
    const probe = async (path: string, headers: Record<string, string> = {}) => {
      const answer = await send(`${gatewayUrl}${path}`, headers);
      return `${answer.status}${answer.version ? ` ${answer.version}` : ''}`;
    };
    return { rootAsWeb: await probe('/', { 'x-caller': 'web' }), api: await probe('/api/orders'), apiAsWeb: await probe('/api/orders', { 'x-caller': 'web' }) };
  }

  const eventActions = async () =>
    Number((await sql.query<{ n: string }>(`SELECT count(*) AS n FROM rollback.outbox WHERE event_type = 'io.strata.rollback.action.requested.v1'`)).rows[0]?.n);

  const ledger = async () => (await targetSql.query<{ version: string; reverted: boolean; applied_by: string }>('SELECT version, reverted_at IS NOT NULL AS reverted, applied_by FROM strata.schema_ledger ORDER BY id')).rows;

  beforeAll(async () => {
    database = await createTestDatabase('e2e-executions');
    target = await createTestDatabase('e2e-executions-target');
    sql = new Client({ connectionString: database.url });
    targetSql = new Client({ connectionString: target.url });
    await Promise.all([sql.connect(), targetSql.connect()]);
    stateDir = mkdtempSync(join(tmpdir(), 'strata-e2e-executions-'));
    const common = distributedModeEnv(database.url, brokers, topicPrefix);
    const [registryPort, routingPort, rollbackPort, gatewayPort, adminPort] = await Promise.all([0, 0, 0, 0, 0].map(() => portOrFree(0, '127.0.0.1')));
    registryUrl = `http://127.0.0.1:${registryPort}`;
    routingUrl = `http://127.0.0.1:${routingPort}`;
    rollbackUrl = `http://127.0.0.1:${rollbackPort}`;
    gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    rollbackEnv = { ...common, PORT: String(rollbackPort), SHOP_DB_URL: target.url, ROLLBACK_EXECUTION_TICK_MS: '200', SHOP_HOOK_SECRET: HOOK_SECRET };
    processes['registry'] = new ServiceProcess('registry', { ...common, PORT: String(registryPort) });
    processes['routing'] = new ServiceProcess('routing-control', { ...common, PORT: String(routingPort) });
    processes['gateway'] = new ServiceProcess('gateway', {
      ...common,
      HOST: '127.0.0.1',
      PORT: String(gatewayPort),
      STRATA_GATEWAY_ADMIN_PORT: String(adminPort),
      STRATA_GATEWAY_ID: 'gw-exec',
      STRATA_GATEWAY_STATE_DIR: stateDir,
      STRATA_GATEWAY_STACK: STACK,
      STRATA_GATEWAY_ENVIRONMENT: 'production',
    });
    for (const process of Object.values(processes)) process.start();
    startRollback();
    await Promise.all([
      waitForHealthy(registryUrl, processes['registry'] as ServiceProcess, 90_000),
      waitForHealthy(`http://127.0.0.1:${routingPort}`, processes['routing'] as ServiceProcess, 90_000),
      waitForHealthy(rollbackUrl, processes['rollback'] as ServiceProcess, 90_000),
      waitForGatewayStarted(`http://127.0.0.1:${adminPort}`, processes['gateway'] as ServiceProcess, 90_000),
    ]);
    actions = await startActionServer();
    const applied = await api(registryUrl, 'POST', '/v1/apply', manifest(actions.url), 'application/yaml');
    expect({ status: applied.status, body: applied.body }).toMatchObject({ status: 200 });
    const heartbeat = { STRATA_HEARTBEAT_URL: registryUrl, STRATA_HEARTBEAT_INTERVAL_MS: '1000', STRATA_SAMPLE_STACK: STACK, STRATA_SAMPLE_COMPONENT: 'shop-api' };
    backends.push(await startSampleBackend('2.3.0', 'old', heartbeat), await startSampleBackend('2.4.0', 'new', heartbeat));
  }, 180_000);

  afterAll(async () => {
    await closeClients();
    await actions?.close();
    await Promise.all([...Object.values(processes).map((process) => process.stop()), ...backends.map((backend) => backend.process.stop())]);
    await Promise.all([sql?.end(), targetSql?.end()]);
    await Promise.all([database?.drop(), target?.drop()]);
    rmSync(stateDir, { recursive: true, force: true });
  }, 60_000);

  it('refuses what cannot run, naming the field, and changes nothing', async () => {
    const unknown = await api(rollbackUrl, 'POST', `/v1/stacks/${STACK}/environments/production/deploy`, { versionGroup: 'shop-9' });
    // Its own problem type: the group may only be on its way from the registry, so a caller may ask again.
    expect(unknown).toMatchObject({ status: 422, body: { type: 'https://strata.dev/problems/not-yet-known', errors: [{ field: 'versionGroup' }] } });
    const nothing = await api(rollbackUrl, 'POST', `/v1/stacks/${STACK}/environments/production/rollback`, {});
    expect(nothing).toMatchObject({ status: 422, body: { errors: [{ field: 'to', message: expect.stringContaining('no version group was deployed there') }] } });
    const plan = await eventually(async () => {
      const answer = await api<{ plan: { steps: { action: string; component: string; run: string[] }[] } }>(rollbackUrl, 'POST', `/v1/stacks/${STACK}/environments/production/deploy`, { versionGroup: 'shop-1', dryRun: true });
      expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 200 });
      return answer.body.plan;
    }, 30_000, 250);
    expect(plan.steps.map((step) => `${step.action} ${step.component}`)).toEqual(['apply shop-db', 'apply shop-flags', 'apply shop-netpol', 'apply shop-lb', 'apply shop-api', 'traffic shop-1']);
    expect(plan.steps[0]?.run).toContain('CREATE TABLE orders (id serial PRIMARY KEY, total integer NOT NULL)');
    expect((await api<{ items: unknown[] }>(rollbackUrl, 'GET', `/v1/executions?stack=${STACK}`)).body.items).toEqual([]);
  });

  it('deploys every layer forward and rolls every layer back to exactly the previous version', async () => {
    const first = await untilDone((await start('deploy', { versionGroup: 'shop-1' })).id);
    expect({ status: first.status, failed: first.failedStep }).toMatchObject({ status: 'succeeded' });
    // The first policy of a stack is answered before any gateway has ACKed one (none is known to wait for): the gateway follows.
    await eventually(async () => expect(await behaviour()).toEqual({ rootAsWeb: '200 2.3.0', api: '200 2.3.0', apiAsWeb: '200 2.3.0' }), 60_000, 250);
    const before = { schema: targetSchema(), behaviour: await behaviour() };

    const second = await start('deploy', { versionGroup: 'shop-2' });
    const busy = await api(rollbackUrl, 'POST', `/v1/stacks/${STACK}/environments/production/deploy`, { versionGroup: 'shop-1' });
    expect(busy).toMatchObject({ status: 409, body: { detail: expect.stringContaining(second.id) } });
    expect(await untilDone(second.id)).toMatchObject({ status: 'succeeded' });
    // The new lb-rule routes only /api, the new network policy lets only web callers in, the new app serves.
    await eventually(async () => expect(await behaviour()).toEqual({ rootAsWeb: '404', api: '403', apiAsWeb: '200 2.4.0' }), 30_000, 250);
    expect(await ledger()).toEqual([expect.objectContaining({ version: '1.0.0', reverted: false }), expect.objectContaining({ version: '1.1.0', reverted: false })]);
    const policy = await sql.query<{ sources: Record<string, unknown> }>(`SELECT sources FROM routing.routing_policies WHERE stack = $1 ORDER BY version DESC LIMIT 1`, [STACK]);
    expect(policy.rows[0]?.sources).toMatchObject({ stackConfigs: 'version group shop-2', routes: 'shop-lb@2.0.0', stickiness: 'shop-lb@2.0.0', networkPolicy: 'shop-netpol@2.0.0' });
    const gateways = await sql.query<{ applied_version: number }>('SELECT applied_version FROM routing.gateway_status WHERE stack = $1', [STACK]);
    const latest = await sql.query<{ version: number }>('SELECT max(version) AS version FROM routing.routing_policies WHERE stack = $1', [STACK]);
    expect(gateways.rows.map((row) => row.applied_version)).toEqual([latest.rows[0]?.version]);

    const back = await untilDone((await start('rollback', { reason: 'e2e' })).id);
    expect(back).toMatchObject({ status: 'succeeded', versionGroup: 'shop-1' });
    expect(back.steps.map((step) => `${step.action} ${step.component}`)).toEqual(['traffic shop-1', 'revert shop-api', 'revert shop-lb', 'revert shop-netpol', 'revert shop-flags', 'revert shop-db']);
    await eventually(async () => expect(await behaviour()).toEqual(before.behaviour), 30_000, 250);
    expect(targetSchema()).toEqual(before.schema);
    expect((await ledger()).map((row) => `${row.version} ${row.reverted}`)).toEqual(['1.0.0 false', '1.1.0 true']);
    const slots = await eventually(async () => {
      const map = await api<{ slots: { component: string; version: string; status: string; executionId: string | null }[] }>(registryUrl, 'GET', `/v1/stacks/${STACK}/environments/production/version-map`);
      const byComponent = Object.fromEntries(map.body.slots.map((slot) => [slot.component, `${slot.version} ${slot.status}`]));
      expect(byComponent).toEqual({ 'shop-db': '1.0.0 deployed', 'shop-api': '2.3.0 deployed', 'shop-lb': '1.0.0 deployed', 'shop-netpol': '1.0.0 deployed', 'shop-flags': '1.0.0 deployed' });
      return map.body.slots;
    }, 30_000, 250);
    expect(new Set(slots.map((slot) => slot.executionId))).toEqual(new Set([back.id]));
  }, 120_000);

  it('resumes after a SIGKILL at any step and applies no step twice', async () => {
    const policiesBefore = Number((await sql.query<{ n: string }>(`SELECT count(*) AS n FROM routing.routing_policies WHERE created_by = 'rollback'`)).rows[0]?.n);
    let routingSteps = 0;
    const undoBefore = actions.calls.filter((call) => call.path === '/flags/undo').length;
    const pinsBefore = await eventActions();
    /** Starts an execution, SIGKILLs the rollback service once its step `killAt` has started, restarts it, and waits for the end. */
    const killedAt = async (kind: 'deploy' | 'rollback', body: Record<string, unknown>, killAt: number): Promise<ExecutionBody> => {
      const started = await start(kind, body);
      await eventually(async () => expect((await execution(started.id)).steps[killAt]?.status).not.toBe('pending'), 60_000, 10);
      await processes['rollback']?.kill();
      startRollback();
      await waitForHealthy(rollbackUrl, processes['rollback'] as ServiceProcess, 90_000);
      const done = await untilDone(started.id);
      expect({ kind, killAt, status: done.status, failed: done.failedStep }).toEqual({ kind, killAt, status: 'succeeded', failed: null });
      return done;
    };
    // Deploys: the schema step, the app step (waiting for nodes), the traffic step (waiting for ACKs).
    // Rollbacks: the app, the infra config (its HTTP action done, its event not yet), the schema.
    for (const [deployKill, rollbackKill] of [
      [0, 1],
      [4, 4],
      [5, 5],
    ] as const) {
      const done = await killedAt('deploy', { versionGroup: 'shop-2' }, deployKill);
      const back = await killedAt('rollback', {}, rollbackKill);
      routingSteps += [...done.steps, ...back.steps].filter((step) => ['traffic', 'lb-rule', 'network-policy'].includes(step.type)).length;
    }
    // Each deploy of shop-2 applied 1.1.0 once, each rollback took it back once: one ledger row per deploy, none applied twice.
    const rows = await ledger();
    expect(rows.filter((row) => row.version === '1.1.0').map((row) => row.reverted)).toEqual([true, true, true, true]);
    expect(new Set(rows.map((row) => row.applied_by)).size).toBe(rows.length);
    // One policy version per routing step, however often a step was resumed.
    const policiesAfter = Number((await sql.query<{ n: string }>(`SELECT count(*) AS n FROM routing.routing_policies WHERE created_by = 'rollback'`)).rows[0]?.n);
    expect(policiesAfter - policiesBefore).toBe(routingSteps);
    // Each rollback called the undo action once and published its event once (an HTTP call the
    // process died during would be repeated with the same Idempotency-Key: count keys, and calls).
    const undo = actions.calls.filter((call) => call.path === '/flags/undo').slice(undoBefore);
    expect(new Set(undo.map((call) => call.key)).size).toBe(3);
    expect(undo.length).toBe(3);
    expect((await eventActions()) - pinsBefore).toBe(3);
    const requests = await sql.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM routing.layer_requests GROUP BY status`);
    expect(Object.fromEntries(requests.rows.map((row) => [row.status, Number(row.n)]))).toEqual({ applied: expect.any(Number) });
  }, 300_000);

  it('stops a failed step with the step and the error, runs nothing after it, and completes on retry', async () => {
    // The schema is changed behind Strata's back: 1.1.0's ALTER fails on the database.
    await targetSql.query('ALTER TABLE orders ADD COLUMN coupon text');
    type Slots = { slots: { component: string; version: string; status: string; executionId: string | null }[] };
    const slots = async () => (await api<Slots>(registryUrl, 'GET', `/v1/stacks/${STACK}/environments/production/version-map`)).body.slots.sort((a, b) => a.component.localeCompare(b.component));
    // Versions, and no claim left: a status may move meanwhile by a health check of its own.
    const held = (map: Slots['slots']) => map.map((slot) => `${slot.component} ${slot.version}${slot.status === 'deploying' ? ' deploying' : ''}`);
    const before = await slots();
    const started = await start('deploy', { versionGroup: 'shop-2' });
    const failed = await untilDone(started.id);
    expect(failed).toMatchObject({ status: 'failed', failedStep: { component: 'shop-db', status: 'failed', error: expect.stringContaining('already exists') } });
    expect(failed.stepsNotRun).toEqual(['1 shop-flags', '2 shop-netpol', '3 shop-lb', '4 shop-api', '5 shop-2']);
    expect(failed.steps.slice(1).map((step) => step.status)).toEqual(['pending', 'pending', 'pending', 'pending', 'pending']);
    expect(await behaviour()).toMatchObject({ rootAsWeb: '200 2.3.0' });
    // Nothing it did not apply reads as there: the slots it claimed (`deploying`) are put back as they were.
    expect(before).toHaveLength(5);
    await eventually(async () => {
      const after = await slots();
      expect(held(after)).toEqual(held(before));
      expect(after.filter((slot) => slot.executionId === started.id)).toEqual([]);
    }, 30_000, 250);
    await targetSql.query('ALTER TABLE orders DROP COLUMN coupon');
    const retried = await api<ExecutionBody>(rollbackUrl, 'POST', `/v1/executions/${started.id}/retry`);
    expect(retried.status).toBe(202);
    expect(await untilDone(started.id)).toMatchObject({ status: 'succeeded' });

    // A down that fails on the database: every layer but the schema is back, and the execution says why not.
    await targetSql.query('CREATE VIEW coupon_orders AS SELECT coupon FROM orders');
    const rollback = await start('rollback', {});
    const stuck = await untilDone(rollback.id);
    expect(stuck).toMatchObject({ status: 'failed', failedStep: { component: 'shop-db', action: 'revert', error: expect.stringContaining('depend') }, stepsNotRun: [] });
    expect(stuck.steps.slice(0, -1).map((step) => step.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
    await targetSql.query('DROP VIEW coupon_orders');
    expect((await api(rollbackUrl, 'POST', `/v1/executions/${rollback.id}/retry`)).status).toBe(202);
    expect(await untilDone(rollback.id)).toMatchObject({ status: 'succeeded' });

    // Every change of the execution is in the rollback service's audit trail, on behalf of who started it.
    const audit = await api<{ items: { action: string; principal: string; status: number }[] }>(rollbackUrl, 'GET', `/v1/audit?target=/v1/executions/${rollback.id}&limit=100`);
    const actions = audit.body.items.map((item) => item.action).reverse();
    // The operator's retry is audited as the HTTP write it was, beside the changes it caused.
    expect(actions.filter((action) => !action.startsWith('EXECUTION'))).toEqual(['POST /v1/executions/:id/retry']);
    expect(actions.filter((action) => action.startsWith('EXECUTION'))).toEqual([
      'EXECUTION started',
      ...Array.from({ length: 5 }, () => ['EXECUTION step-started', 'EXECUTION step-succeeded']).flat(),
      'EXECUTION step-started',
      'EXECUTION step-failed',
      'EXECUTION failed',
      'EXECUTION retried',
      'EXECUTION step-started',
      'EXECUTION step-succeeded',
      'EXECUTION succeeded',
    ]);
  }, 120_000);

  it('tells notification channels, signed and in order, and a webhook that is down delays nothing', async () => {
    const channel = async (name: string, format: string, url: string, secretFrom = 'SHOP_HOOK_SECRET') =>
      api<{ id: string }>(rollbackUrl, 'POST', '/v1/notification-channels', { name, format, url, secretFrom, events: ['execution-started', 'execution-succeeded', 'execution-failed'] });
    expect(await channel('no-secret', 'json', `${actions.url}/hooks/none`, 'NOT_SET_ANYWHERE')).toMatchObject({ status: 422, body: { errors: [{ field: 'secretFrom' }] } });
    expect((await channel('sre-json', 'json', `${actions.url}/hooks/json`)).status).toBe(201);
    expect((await channel('sre-slack', 'slack', `${actions.url}/hooks/slack`)).status).toBe(201);
    const down = await channel('down', 'json', 'http://127.0.0.1:9/hooks');
    expect(down.status).toBe(201);

    const started = Date.now();
    const deploy = await untilDone((await start('deploy', { versionGroup: 'shop-2' })).id);
    const back = await untilDone((await start('rollback', { reason: 'notification e2e' })).id);
    expect([deploy.status, back.status]).toEqual(['succeeded', 'succeeded']);
    expect(Date.now() - started).toBeLessThan(30_000);

    const hooks = (path: string) => actions.calls.filter((call) => call.path === path);
    await eventually(async () => expect(hooks('/hooks/json')).toHaveLength(4), 30_000, 200);
    const json = hooks('/hooks/json').map((call) => JSON.parse(call.body) as { type: string; data: { subject: { id: string } } });
    expect(json.map((body) => `${body.type} ${body.data.subject.id}`)).toEqual([
      `io.strata.notification.execution-started.v1 ${deploy.id}`,
      `io.strata.notification.execution-succeeded.v1 ${deploy.id}`,
      `io.strata.notification.execution-started.v1 ${back.id}`,
      `io.strata.notification.execution-succeeded.v1 ${back.id}`,
    ]);
    for (const call of [...hooks('/hooks/json'), ...hooks('/hooks/slack')]) {
      const timestamp = String(call.headers['x-strata-timestamp']);
      expect(call.headers['x-strata-signature']).toBe(`sha256=${createHmac('sha256', HOOK_SECRET).update(`${timestamp}.${call.body}`).digest('hex')}`);
    }
    await eventually(async () => expect(hooks('/hooks/slack')).toHaveLength(4), 30_000, 200);
    expect((JSON.parse(hooks('/hooks/slack')[3]?.body ?? '{}') as { text: string }).text).toContain('rollback of shop-1 (from shop-2) succeeded (by admin: notification e2e)');
    // The channel that is down keeps its deliveries queued with the reason, retried with backoff.
    const queued = await api<{ deliveries: { status: string; attempts: number; lastError: string | null }[] }>(rollbackUrl, 'GET', `/v1/notification-channels/${down.body.id}`);
    expect(queued.body.deliveries[queued.body.deliveries.length - 1]).toMatchObject({ status: 'pending', attempts: expect.any(Number), lastError: expect.stringMatching(/fetch failed|ECONNREFUSED/) });
  }, 120_000);

  it('moves the traffic through a canary rollout when the deploy asks for one, and fails the step when the canary is aborted', async () => {
    const canary = { steps: [{ setWeight: 50 }, { pause: { duration: '1s' } }, { setWeight: 100 }] };
    const promoted = await untilDone((await start('deploy', { versionGroup: 'shop-2', canary })).id);
    expect(promoted).toMatchObject({ status: 'succeeded' });
    expect(promoted.steps.at(-1)?.outcome).toMatch(/ACKed|no live gateway/);
    await eventually(async () => expect(await behaviour()).toMatchObject({ apiAsWeb: '200 2.4.0' }), 30_000, 250);
    expect(await untilDone((await start('rollback', {})).id)).toMatchObject({ status: 'succeeded' });

    const held = await start('deploy', { versionGroup: 'shop-2', canary: { steps: [{ setWeight: 10 }, { pause: {} }] } });
    const rollout = await pausedRolloutOf(held.id);
    expect((await api(routingUrl, 'POST', `/v1/rollouts/${rollout.id}/abort`, { reason: 'e2e: the canary looks wrong' })).status).toBe(200);
    const aborted = await untilDone(held.id);
    expect(aborted).toMatchObject({ status: 'failed', failedStep: { action: 'traffic', error: expect.stringContaining('e2e: the canary looks wrong') } });
    // The SRE's way back: give the deploy up, then roll back, naming no group: every layer the abandoned
    // deploy applied goes back to the group it left (shop-1), not to the one before that.
    expect((await api(rollbackUrl, 'POST', `/v1/executions/${held.id}/abandon`)).status).toBe(200);
    const back = await untilDone((await start('rollback', {})).id);
    expect(back).toMatchObject({ status: 'succeeded', versionGroup: 'shop-1', fromVersionGroup: 'shop-2' });
    await eventually(async () => expect(await behaviour()).toEqual({ rootAsWeb: '200 2.3.0', api: '200 2.3.0', apiAsWeb: '200 2.3.0' }), 30_000, 250);
    const refused = await api(rollbackUrl, 'POST', `/v1/stacks/${STACK}/environments/production/deploy`, { versionGroup: 'shop-2', canary: { steps: [{ setWeight: 150 }] } });
    expect(refused).toMatchObject({ status: 422, body: { errors: [{ field: 'canary.steps[0].setWeight' }] } });
  }, 180_000);

  it('drains a canary whose node dies within seconds over Kafka when a rollback trigger fires, and rolls every layer back', async () => {
    const put = await api(rollbackUrl, 'PUT', `/v1/stacks/${STACK}/environments/production/rollback-triggers/unhealthy`, { when: 'health == failing', scope: { versionGroup: 'shop-2' }, action: 'rollback' });
    expect(put.status).toBe(201);
    const held = await start('deploy', { versionGroup: 'shop-2', canary: { steps: [{ setWeight: 50 }, { pause: {} }] } });
    const rollout = await pausedRolloutOf(held.id);
    const load = steadyLoad(`${gatewayUrl}/api/orders`, 100, { 'x-caller': 'web' });
    const t0 = Date.now();
    expect((await fetch(`${backends[1]?.url}/_faults`, { method: 'POST', body: JSON.stringify({ resetConnections: true }) })).status).toBe(200);
    await eventually(async () => expect((await api<{ phase: string }>(routingUrl, 'GET', `/v1/rollouts/${rollout.id}`)).body.phase).toMatch(/aborted|rolled-back/), 30_000, 50);
    const drainedMs = Date.now() - t0;
    const firing = await eventually(async () => {
      const [found] = (await api<{ status: string; executionId: string | null }[]>(rollbackUrl, 'GET', `/v1/stacks/${STACK}/environments/production/rollback-triggers/unhealthy/firings`)).body;
      expect(found).toMatchObject({ status: 'backward-started' });
      return found as { executionId: string };
    }, 60_000, 200);
    expect(await untilDone(firing.executionId)).toMatchObject({ kind: 'rollback', status: 'succeeded', versionGroup: 'shop-1' });
    process.stderr.write(`[T] distributed: the canary drained ${drainedMs} ms after its node died, every layer back ${Date.now() - t0} ms after it\n`);
    await load.stop();
    expect(drainedMs).toBeLessThan(15_000);
    expect((await fetch(`${backends[1]?.url}/_faults`, { method: 'DELETE' })).status).toBe(200);
    await eventually(async () => expect(await behaviour()).toEqual({ rootAsWeb: '200 2.3.0', api: '200 2.3.0', apiAsWeb: '200 2.3.0' }), 30_000, 250);
  }, 180_000);
});
