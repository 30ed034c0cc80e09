import { EventData, EventType, StrataEvent, Topics, parseStrataEvent, topicOfEvent } from '@strata/contracts';
import { InMemoryEventBus, newEvent } from '@strata/messaging';
import { LogLevel, setLogLevel, setLogSink } from '@strata/observability';
import { aStackName, eventually } from '@strata/testing';
import { ServiceTestApp, observedInMemoryBus, startServiceTestApp } from '@strata/testing/harness';
import { RollbackModule } from './rollback.module';

const ENVIRONMENT = 'production';
const ERRORS = 'error_rate(canary) > 2 * error_rate(stable) and error_rate(canary) > 0.01';
const BOUNDS = [1, 2, 4, 8, null];

/**
 * Rollback triggers in the rollback service on real PostgreSQL: declared through the API, decided
 * on gateway flushes as `kpi.samples` carries them, on anomalies, failed analyses, gateways
 * without an available node, NACKs; one firing per rollout, dry runs that only record, cool-downs.
 */
describe('rollback triggers', () => {
  let sut: ServiceTestApp<InMemoryEventBus>;
  const rollbackEvents: StrataEvent[] = [];
  let stack: string;
  let clock = Date.now();

  const publish = async <TType extends EventType>(type: TType, data: EventData<TType>, time = new Date().toISOString()): Promise<void> => {
    const event = { ...newEvent({ type, service: 'test', subject: (data as { stack?: string }).stack ?? 'none', data }), time };
    await sut.bus.publish([{ topic: topicOfEvent(type), key: event.subject ?? null, value: JSON.stringify(event) }]);
  };
  const path = (name = '') => `/v1/stacks/${stack}/environments/${ENVIRONMENT}/rollback-triggers${name ? `/${name}` : ''}`;
  const startRollout = (rollout: string, versionGroup: string, rollbackTriggers?: { when: string; for?: string }[]) =>
    publish('io.strata.routing.rollout.transitioned.v1', { stack, environment: ENVIRONMENT, rollout, versionGroup, from: null, to: 'progressing', stepIndex: 0, canaryWeight: 10, reason: 'started', policyVersion: 2, actor: 'sre', ...(rollbackTriggers ? { rollbackTriggers } : {}) });
  /** One second of gateway flushes: each config's requests, errors and latencies, as a gateway node sends them. */
  const flush = async (configs: Record<string, { requests: number; errors: number }>) => {
    clock += 1_000;
    for (const [stackConfig, { requests, errors }] of Object.entries(configs)) {
      const series = { stack, environment: ENVIRONMENT, component: 'api', stackConfig, node: `${stackConfig}-node` };
      await publish('io.strata.kpi.samples.v1', { series: { ...series, metric: 'gateway_requests_total' }, samples: [{ timestamp: clock, value: requests }] });
      await publish('io.strata.kpi.samples.v1', { series: { ...series, metric: 'gateway_errors_5xx_total' }, samples: [{ timestamp: clock, value: errors }] });
      await publish('io.strata.kpi.samples.v1', { series: { ...series, metric: 'gateway_request_duration_ms' }, samples: [], histograms: [{ timestamp: clock, bounds: BOUNDS, counts: [0, requests, 0, 0, 0], sum: 1.5 * requests, count: requests }] });
    }
    // Past the watcher's evaluation throttle, so each second is judged.
    await new Promise((resolve) => setTimeout(resolve, 250));
  };
  const firings = async (name?: string) => (await sut.http().get(name ? `${path(name)}/firings` : `/v1/stacks/${stack}/environments/${ENVIRONMENT}/trigger-firings`).expect(200)).body as { trigger: string; status: string; rollout: string | null; outcome: string; evidence: string; dryRun: boolean }[];
  const abortsOf = (rollout: string) => rollbackEvents.filter((event) => event.type === 'io.strata.rollback.rollout.abort-requested.v1' && (event.data as { rollout: string }).rollout === rollout);

  beforeAll(async () => {
    sut = await startServiceTestApp({
      label: 'rollback-triggers',
      outboxPollIntervalMs: 50,
      bus: () => observedInMemoryBus('rollback-events-observer', [Topics.rollbackEvents], (message) => {
        const parsed = parseStrataEvent(message.value);
        if (parsed.ok) rollbackEvents.push(parsed.event);
      }),
      modules: (options) => RollbackModule.register(options, { tickMs: 0 }),
    });
  }, 60_000);

  beforeEach(async () => {
    // The registry announces every stack: a trigger on one it never announced is refused.
    stack = aStackName('rt');
    await publish('io.strata.registry.stack.created.v1', { stack, environments: [{ name: ENVIRONMENT }] });
    await eventually(async () => expect((await sut.sql.query('SELECT 1 FROM rollback.environments WHERE stack = $1', [stack])).rowCount).toBe(1));
  });

  afterAll(async () => {
    await sut?.close();
  }, 30_000);

  it('creates, replaces, lists, reads and deletes a trigger; refuses a bad one naming each field', async () => {
    const body = { when: ERRORS, window: '3s', minRequests: 20, scope: { versionGroup: 'shop-2' }, action: 'rollback' };
    const created = await sut.http().put(path('errors')).send(body).expect(201);
    expect(created.body).toMatchObject({ name: 'errors', stack, environment: ENVIRONMENT, source: 'api', spec: body, createdBy: 'admin', lastFiredAt: null });
    await sut.http().put(path('errors')).send({ ...body, dryRun: true }).expect(200);
    expect((await sut.http().get(path()).expect(200)).body).toEqual([expect.objectContaining({ name: 'errors', spec: { ...body, dryRun: true } })]);
    const refused = await sut.http().put(path('bad')).send({ when: 'cpu > 1', action: 'delete', window: 'soon', scope: { team: 'x' } }).expect(422);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect((refused.body as { errors: { field: string }[] }).errors.map((error) => error.field)).toEqual(['when', 'window', 'action', 'scope.team']);
    // Named like every resource: names that need percent-encoding, or that differ only in case, are refused.
    for (const name of ['..', 'a%2Fb', 'has%20space', '%F0%9F%92%A5', 'Bad_Name', 'x'.repeat(64)]) {
      const badName = await sut.http().put(path(name)).send(body).expect(422);
      expect((badName.body as { errors: { field: string; message: string }[] }).errors).toEqual([{ field: 'name', message: expect.stringContaining('lowercase letters, digits and hyphens') }]);
    }
    await sut.http().delete(path('errors')).expect(204);
    await sut.http().get(path('errors')).expect(404);
    await sut.http().put(path('no-token')).set('authorization', '').send(body).expect(401);
    const noStack = await sut.http().put(`/v1/stacks/${stack}-typo/environments/${ENVIRONMENT}/rollback-triggers/errors`).send(body).expect(422);
    expect(noStack.body.errors).toEqual([{ field: 'stack', message: `no stack '${stack}-typo' has reached the rollback service (not registered, or still on its way)` }]);
    const noEnvironment = await sut.http().put(`/v1/stacks/${stack}/environments/prodution/rollback-triggers/errors`).send(body).expect(422);
    expect(noEnvironment.body.errors).toEqual([{ field: 'environment', message: expect.stringContaining(`stack '${stack}' has no environment 'prodution'`) }]);
  });

  it('aborts a canary seconds into its errors, on gateway flushes, once; a dry-run trigger only records', async () => {
    await sut.http().put(path('errors')).send({ when: ERRORS, window: '3s', minRequests: 20, action: 'abort' }).expect(201);
    await sut.http().put(path('errors-dry')).send({ when: ERRORS, window: '3s', minRequests: 20, action: 'rollback', dryRun: true }).expect(201);
    await startRollout('shop-2-canary', 'shop-2');
    await eventually(async () => expect((await sut.sql.query('SELECT 1 FROM rollback.watched_rollouts WHERE stack = $1', [stack])).rowCount).toBe(1));
    // Healthy seconds first: nothing fires on an equal error rate.
    for (let second = 0; second < 3; second++) await flush({ 'shop-1': { requests: 270, errors: 1 }, 'shop-2': { requests: 30, errors: 0 } });
    expect(await firings()).toEqual([]);
    // The canary fails every request from here on: one second of it is enough over a 3 s window.
    await flush({ 'shop-1': { requests: 270, errors: 0 }, 'shop-2': { requests: 30, errors: 30 } });
    await eventually(async () => expect(abortsOf('shop-2-canary')).toHaveLength(1), 5_000, 50);
    const [abort] = abortsOf('shop-2-canary');
    expect(abort?.data).toMatchObject({ stack, environment: ENVIRONMENT, actor: 'rollback-trigger:errors', reason: expect.stringContaining('canary error rate') });
    const recorded = await firings();
    expect(recorded.map((firing) => [firing.trigger, firing.status, firing.dryRun]).sort()).toEqual([
      ['errors', 'done', false],
      ['errors-dry', 'recorded', true],
    ]);
    expect(recorded.find((firing) => firing.dryRun)?.outcome).toBe('dry run: would abort rollout shop-2-canary, then roll every layer of shop-2 back');
    expect(recorded[0]?.evidence).toMatch(/canary error rate (50|100|33)\.\d+ % of \d+ requests.*stable error rate/);
    // It keeps holding: still one firing and one abort per trigger.
    for (let second = 0; second < 2; second++) await flush({ 'shop-1': { requests: 270, errors: 0 }, 'shop-2': { requests: 30, errors: 30 } });
    expect(await firings()).toHaveLength(2);
    expect(abortsOf('shop-2-canary')).toHaveLength(1);
    expect(rollbackEvents.filter((event) => event.type === 'io.strata.rollback.trigger.fired.v1' && (event.data as { stack: string }).stack === stack)).toHaveLength(2);
  });

  it('does not act on a canary with too few requests, nor on an A/A canary as noisy as its stable side', async () => {
    await sut.http().put(path('errors')).send({ when: ERRORS, window: '3s', minRequests: 50, action: 'abort' }).expect(201);
    await startRollout('shop-2-aa', 'shop-2');
    await eventually(async () => expect((await sut.sql.query('SELECT 1 FROM rollback.watched_rollouts WHERE stack = $1', [stack])).rowCount).toBe(1));
    for (let second = 0; second < 4; second++) await flush({ 'shop-1': { requests: 270, errors: 3 }, 'shop-2': { requests: 30, errors: second === 2 ? 1 : 0 } });
    // 3 of 10 requests failing, but 10 requests are below minRequests.
    await flush({ 'shop-1': { requests: 10, errors: 0 }, 'shop-2': { requests: 10, errors: 3 } });
    expect(await firings()).toEqual([]);
  });

  it('acts once per rollout through any of its triggers, and a new rollout is guarded again: an abort is held only by what acted on the same canary', async () => {
    await sut.http().put(path('errors')).send({ when: ERRORS, window: '2s', minRequests: 10, action: 'abort', coolDown: '1h' }).expect(201);
    await sut.http().put(path('errors-too')).send({ when: 'error_rate(canary) > 0.5', window: '2s', minRequests: 10, action: 'abort', coolDown: '1h' }).expect(201);
    const logged: string[] = [];
    const restoreSink = setLogSink((line) => logged.push(line));
    setLogLevel('warn');
    try {
      for (const rollout of ['first', 'second']) {
        await startRollout(rollout, `shop-${rollout}`);
        await eventually(async () => expect((await sut.sql.query('SELECT 1 FROM rollback.watched_rollouts WHERE stack = $1 AND rollout = $2', [stack, rollout])).rowCount).toBe(1));
        for (let second = 0; second < 3; second++) await flush({ 'shop-1': { requests: 100, errors: 0 }, [`shop-${rollout}`]: { requests: 20, errors: second % 2 === 0 ? 20 : 0 } });
      }
    } finally {
      setLogLevel((process.env['STRATA_TEST_LOGS'] as LogLevel | undefined) ?? 'error');
      restoreSink();
    }
    // One of the two acted on each rollout, and the cool-down held the other there; the first rollout's
    // abort did not leave the second, a new faulty canary, unguarded for the hour.
    expect((await firings()).map((firing) => firing.rollout)).toEqual(['second', 'first']);
    expect(abortsOf('first')).toHaveLength(1);
    expect(abortsOf('second')).toHaveLength(1);
    // Held by the cool-down, it left no firing, so the log says it: once per trigger, rollout and cool-down, not once per flush.
    const cooling = logged.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry['msg'] === 'a rollback trigger holds but is cooling down: it does not act');
    for (const rollout of ['first', 'second']) {
      const held = cooling.filter((entry) => entry['rollout'] === rollout).map((entry) => String(entry['trigger']));
      const acted = (await firings()).find((firing) => firing.rollout === rollout)?.trigger;
      expect(held).toContain(['errors', 'errors-too'].find((name) => name !== acted));
      expect(new Set(held).size).toBe(held.length);
    }
    expect(cooling[0]).toMatchObject({ level: 'warn', stack, coolDownUntil: expect.any(String) });
  });

  it("watches a Rollout's own rollbackTriggers, scoped to it, and holds `for` before firing", async () => {
    await startRollout('declared', 'shop-2', [{ when: 'judge == Fail' }, { when: ERRORS, for: '2s' }]);
    await eventually(async () => expect((await sut.http().get(path()).expect(200)).body).toEqual([expect.objectContaining({ name: 'declared.1', source: 'rollout', rollout: 'declared', spec: { when: ERRORS, for: '2s', action: 'abort', scope: { rollout: 'declared' } } })]));
    await flush({ 'shop-1': { requests: 300, errors: 0 }, 'shop-2': { requests: 60, errors: 60 } });
    await flush({ 'shop-1': { requests: 300, errors: 0 }, 'shop-2': { requests: 60, errors: 60 } });
    expect(await firings()).toEqual([]);
    for (let second = 0; second < 3; second++) await flush({ 'shop-1': { requests: 300, errors: 0 }, 'shop-2': { requests: 60, errors: 60 } });
    await eventually(async () => expect(abortsOf('declared')).toHaveLength(1), 5_000, 50);
  });

  it('fires on an anomaly of the canary, a failed analysis, a canary without an available node and a NACK', async () => {
    for (const [name, when] of [['anomaly', 'anomaly(severity >= high, scope = canary)'], ['judge', 'judge == Fail'], ['health', 'health == failing'], ['nack', 'gateway == nack']] as const) {
      await sut.http().put(path(name)).send({ when, action: 'abort', dryRun: true }).expect(201);
    }
    await startRollout('shop-2-canary', 'shop-2');
    await eventually(async () => expect((await sut.sql.query('SELECT 1 FROM rollback.watched_rollouts WHERE stack = $1', [stack])).rowCount).toBe(1));
    const series = { stack, environment: ENVIRONMENT, component: 'api', stackConfig: 'shop-2', metric: 'checkout_latency_ms' };
    const evidence = { observed: 900, expected: 120, baselines: {}, zScore: 9, likelihood: 0.99, changeEvidence: 0.9, changePoint: true, period: null, windowsSeen: 500, window: { start: 0, end: 10_000, value: 'mean' as const, count: 60, mean: 900, min: 100, max: 2_000, p99: 1_900 } };
    await publish('io.strata.anomaly.detected.v1', { anomalyId: 'a-low', seriesId: 's', series, at: Date.now(), score: 0.4, severity: 'medium', evidence });
    await publish('io.strata.anomaly.detected.v1', { anomalyId: 'a-high', seriesId: 's', series, at: Date.now(), score: 0.99, severity: 'high', evidence });
    await publish('io.strata.routing.gateway.fallback.changed.v1', { stack, environment: ENVIRONMENT, gatewayId: 'gw-1', version: 3, mode: 'normal', previousMode: 'normal', unavailableConfigs: ['shop-2'], servingConfigs: ['shop-1'], reason: 'every node of shop-2 failed its health checks' });
    await publish('io.strata.routing.config.rejected.v1', { stack, environment: ENVIRONMENT, version: 4, gatewayId: 'gw-1', reason: 'invalid', violations: [], keptVersion: 3 });
    await publish('io.strata.routing.rollout.transitioned.v1', { stack, environment: ENVIRONMENT, rollout: 'shop-2-canary', versionGroup: 'shop-2', from: 'progressing', to: 'aborted', stepIndex: 1, canaryWeight: 0, reason: 'analysis of step 1 failed: error rate', policyVersion: 5, actor: 'routing-control' });
    await eventually(async () => expect((await firings()).map((firing) => firing.trigger).sort()).toEqual(['anomaly', 'health', 'judge', 'nack']), 10_000, 100);
    expect((await firings('anomaly'))[0]?.evidence).toMatch(/^high anomaly a-high on checkout_latency_ms of api under shop-2/);
    expect((await firings('health'))[0]?.evidence).toContain('no available node');
  });

  it('fires on an anomaly of the group serving after its promotion, its subject the group, and leaves a canary-only trigger alone', async () => {
    await sut.http().put(path('group-anomaly')).send({ when: 'anomaly(severity >= high, scope = group)', scope: { versionGroup: 'shop-2' }, action: 'rollback', dryRun: true }).expect(201);
    await sut.http().put(path('canary-anomaly')).send({ when: 'anomaly(severity >= high, scope = canary)', action: 'rollback', dryRun: true }).expect(201);
    // shop-2 serves: an execution completed it (no rollout is live).
    await sut.sql.query('INSERT INTO rollback.group_history (stack, environment, version_group, execution_id, deployed_at) VALUES ($1, $2, $3, NULL, now())', [stack, ENVIRONMENT, 'shop-2']);
    const series = { stack, environment: ENVIRONMENT, component: 'api', stackConfig: 'shop-2', metric: 'checkout_latency_ms' };
    const evidence = { observed: 900, expected: 120, baselines: {}, zScore: 9, likelihood: 0.99, changeEvidence: 0.9, changePoint: true, period: null, windowsSeen: 500, window: { start: 0, end: 10_000, value: 'mean' as const, count: 60, mean: 900, min: 100, max: 2_000, p99: 1_900 } };
    await publish('io.strata.anomaly.detected.v1', { anomalyId: 'a-other', seriesId: 's', series: { ...series, stackConfig: 'shop-1' }, at: Date.now(), score: 0.99, severity: 'critical', evidence });
    await publish('io.strata.anomaly.detected.v1', { anomalyId: 'a-group', seriesId: 's', series, at: Date.now(), score: 0.99, severity: 'critical', evidence });
    await eventually(async () => expect((await firings()).map((firing) => [firing.trigger, firing.rollout, firing.outcome])).toEqual([['group-anomaly', null, 'dry run: would roll every layer of shop-2 back']]), 10_000, 100);
  });
});
