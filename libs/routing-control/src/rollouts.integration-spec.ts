import { StrataEvent } from '@strata/contracts';
import { eventually } from '@strata/testing';
import { RoutingControlTestApp, startRoutingControlTestApp } from './test-support/routing-control-test-app';
import { SeededStack, publishTrafficWindow, seedStackWithPolicy } from './test-support/routing-fixtures';

interface RolloutBody {
  id: string;
  name: string;
  phase: string;
  stepIndex: number;
  canaryWeight: number;
  pause: { cause: string } | null;
  reason: string | null;
  baselineConfig: string | null;
  rollbackTriggers: string[];
}

interface PolicyBody {
  version: number;
  config: { stableConfig: string; stackConfigs: { name: string; weight: number }[] };
}

const WINDOW_MS = 30_000;

describe('rollouts', () => {
  let sut: RoutingControlTestApp;
  let seeded: SeededStack;

  const policy = async (): Promise<PolicyBody> => (await sut.http().get(`/v1/stacks/${seeded.stack}/environments/production/routing-policy`).expect(200)).body as PolicyBody;
  const weights = (body: PolicyBody): Record<string, number> => Object.fromEntries(body.config.stackConfigs.map((stackConfig) => [stackConfig.name, stackConfig.weight]));
  const rollout = async (id: string): Promise<RolloutBody> => (await sut.http().get(`/v1/rollouts/${id}`).expect(200)).body as RolloutBody;
  const command = (id: string, name: string, body: object = {}) => sut.http().post(`/v1/rollouts/${id}/${name}`).send(body);
  const create = (steps: object[]) =>
    sut.http().post(`/v1/stacks/${seeded.stack}/rollouts`).send({ name: `canary-${seeded.stack}`, spec: { environment: 'production', versionGroup: seeded.canary, steps } });

  /** One traffic window of a stack config, waited for until routing-control has recorded it. */
  const publishWindow = async (stackConfig: string, requests: number, errors: number, start: number, latencyMs = 1): Promise<void> => {
    await publishTrafficWindow(sut, seeded.stack, stackConfig, { requests, errors, latencyMs }, start);
    await eventually(async () => {
      const { rows } = await sut.sql.query<{ count: string }>('SELECT count(*) FROM routing.kpi_windows WHERE stack_config = $1 AND window_start = $2', [stackConfig, new Date(start)]);
      expect(Number(rows[0].count)).toBe(requests > 0 ? 3 : 2);
    });
  };

  /** Consecutive 10 s traffic windows of both sides from `start`: what the gateway's flushes become. */
  const publishWindows = async (start: number, count: number, canary: { requests: number; errors: number; latencyMs?: number }, stable: { requests: number; errors: number; latencyMs?: number }): Promise<void> => {
    for (let index = 0; index < count; index += 1) {
      await publishWindow(seeded.canary, canary.requests, canary.errors, start + index * 10_000, canary.latencyMs);
      await publishWindow(seeded.stable, stable.requests, stable.errors, start + index * 10_000, stable.latencyMs);
    }
  };

  /** Creates a rollout whose spec has rollback triggers. */
  const createWithTriggers = (steps: object[], rollbackTriggers: object[]) =>
    sut.http().post(`/v1/stacks/${seeded.stack}/rollouts`).send({ name: `canary-${seeded.stack}`, spec: { environment: 'production', versionGroup: seeded.canary, steps, rollbackTriggers } });

  beforeAll(async () => {
    sut = await startRoutingControlTestApp('rollouts');
  }, 60_000);

  beforeEach(async () => {
    seeded = await seedStackWithPolicy(sut);
  });

  afterAll(async () => {
    await sut?.close();
  }, 30_000);

  it('steps through weights, an analysis and pauses, survives a restart and is promoted, with every transition recorded', async () => {
    const started = sut.clock.now;
    const created = await create([
      { setWeight: 10 },
      { analysis: { window: '30s', minSamples: 50, rules: [{ metric: 'errorRate', max: 0.05 }] } },
      { setWeight: 50 },
      { pause: { duration: '1m' } },
      { pause: {} },
      { setWeight: 100 },
    ]).expect(201);
    const id = (created.body as RolloutBody).id;
    expect(created.body).toMatchObject({ phase: 'progressing', stepIndex: 1, canaryWeight: 10 });
    expect(weights(await policy())).toEqual({ [seeded.stable]: 90, [seeded.canary]: 10 });

    await publishWindows(started, 3, { requests: 40, errors: 0 }, { requests: 360, errors: 3 });
    sut.clock.now = started + WINDOW_MS;
    await sut.tick();
    expect(await rollout(id)).toMatchObject({ phase: 'paused', stepIndex: 3, canaryWeight: 50, pause: { cause: 'step' } });
    expect(weights(await policy())).toEqual({ [seeded.stable]: 50, [seeded.canary]: 50 });

    await command(id, 'pause').expect(200);
    const refused = await command(id, 'pause').expect(409);
    expect(refused.body.detail).toBe('cannot pause again a rollout that is paused');

    await sut.restart();
    expect(await rollout(id)).toMatchObject({ phase: 'paused', stepIndex: 3, pause: { cause: 'manual' } });
    await command(id, 'resume').expect(200);
    sut.clock.now += 60_000;
    await sut.tick();
    expect(await rollout(id)).toMatchObject({ phase: 'paused', stepIndex: 4, pause: { cause: 'step' } });
    sut.clock.now += 600_000;
    await sut.tick();
    expect((await rollout(id)).stepIndex).toBe(4);

    await command(id, 'promote').expect(200);
    expect(await rollout(id)).toMatchObject({ phase: 'promoted', canaryWeight: 100 });
    const promoted = await policy();
    expect(promoted.config.stableConfig).toBe(seeded.canary);
    expect(weights(promoted)).toEqual({ [seeded.stable]: 0, [seeded.canary]: 100 });
    expect((await command(id, 'abort').expect(409)).body.detail).toBe('cannot abort a rollout that is promoted');

    const transitions = (await sut.http().get(`/v1/rollouts/${id}/transitions`).expect(200)).body as { from: string | null; to: string; policyVersion: number | null }[];
    expect(transitions.filter((transition) => transition.from !== transition.to).map((transition) => `${transition.from}->${transition.to}`)).toEqual([
      'null->pending',
      'pending->progressing',
      'progressing->paused', // the timed pause step
      'paused->progressing', // resumed by the operator: the step starts over
      'progressing->paused',
      'paused->progressing', // its minute elapsed
      'progressing->paused', // the pause until promoted
      'paused->progressing', // promoted
      'progressing->promoted',
    ]);
    expect(transitions.filter((transition) => transition.policyVersion !== null).map((transition) => transition.policyVersion)).toEqual([2, 3, 4]);
    // Every transition also left as an event, in the same transaction as its state change.
    const { rows } = await sut.sql.query<{ to: string }>(
      `SELECT event->'data'->>'to' AS to FROM routing.outbox WHERE event_type = 'io.strata.routing.rollout.transitioned.v1' ORDER BY seq`,
    );
    expect(rows.map((row) => row.to)).toEqual(transitions.map((transition) => transition.to));
  }, 60_000);

  it('aborts when the analysis fails, puts all weight back on stable and ends rolled back, naming the windows and counts it judged', async () => {
    const started = sut.clock.now;
    const id = ((await create([{ setWeight: 20 }, { analysis: { window: '30s', minSamples: 50 } }, { setWeight: 100 }]).expect(201)).body as RolloutBody).id;
    // The default (statistical) judge: 10 % errors on the canary against 1 % on stable.
    await publishWindows(started, 3, { requests: 70, errors: 7 }, { requests: 300, errors: 3 });
    sut.clock.now = started + WINDOW_MS;
    await sut.tick();
    const aborted = await rollout(id);
    expect(aborted).toMatchObject({ phase: 'aborted', canaryWeight: 0 });
    expect(aborted.reason).toContain('analysis of step 2 failed');
    const window = `${new Date(started).toISOString()}–${new Date(started + WINDOW_MS).toISOString()}`;
    expect(aborted.reason).toContain(`judged KPI windows: canary ${window} 21 errors in 210 requests; stable ${window} 9 errors in 900 requests`);
    expect(weights(await policy())).toEqual({ [seeded.stable]: 100, [seeded.canary]: 0 });

    await sut.tick();
    expect((await rollout(id)).phase).toBe('rolled-back');
  }, 60_000);

  it("waits for the analysis window's last KPI windows before judging: errors in them abort the canary", async () => {
    const started = sut.clock.now;
    const id = ((await create([{ setWeight: 50 }, { analysis: { window: '30s', minSamples: 50 } }, { setWeight: 100 }]).expect(201)).body as RolloutBody).id;
    await publishWindows(started, 2, { requests: 100, errors: 0 }, { requests: 100, errors: 0 });
    sut.clock.now = started + WINDOW_MS + 3_000;
    await sut.tick();
    // The last window (where the fault began) is not here yet: judging now would promote.
    expect(await rollout(id)).toMatchObject({ phase: 'progressing', stepIndex: 1, canaryWeight: 50 });

    await publishWindows(started + 20_000, 1, { requests: 100, errors: 30 }, { requests: 100, errors: 0 });
    await sut.tick();
    const aborted = await rollout(id);
    expect(aborted).toMatchObject({ phase: 'aborted', canaryWeight: 0 });
    expect(aborted.reason).toContain('30 errors in 300 requests');
  }, 60_000);

  it('judges what arrived once the data wait is over, and too little is never a pass: the window is extended', async () => {
    const started = sut.clock.now;
    const id = ((await create([{ setWeight: 50 }, { analysis: { window: '30s', minSamples: 200 } }, { setWeight: 100 }]).expect(201)).body as RolloutBody).id;
    await publishWindows(started, 2, { requests: 50, errors: 0 }, { requests: 50, errors: 0 });
    sut.clock.now = started + WINDOW_MS + 30_000;
    await sut.tick();
    const extended = await rollout(id);
    expect(extended).toMatchObject({ phase: 'progressing', stepIndex: 1 });
    expect(extended.reason).toMatch(/inconclusive \(1 of 3\), window extended to 60 s: .*100 baseline and 100 canary requests, 200 per side required/);

    await publishWindows(started + 20_000, 4, { requests: 50, errors: 0 }, { requests: 50, errors: 0 });
    sut.clock.now = started + 60_000;
    await sut.tick();
    expect(await rollout(id)).toMatchObject({ phase: 'promoted', canaryWeight: 100 });
  }, 60_000);

  it('fails a canary whose requests are 50 ms slower, error rates being equal', async () => {
    const started = sut.clock.now;
    const id = ((await create([{ setWeight: 20 }, { analysis: { window: '30s', minSamples: 50 } }, { setWeight: 100 }]).expect(201)).body as RolloutBody).id;
    await publishWindows(started, 3, { requests: 60, errors: 0, latencyMs: 51 }, { requests: 240, errors: 0, latencyMs: 1 });
    sut.clock.now = started + WINDOW_MS;
    await sut.tick();
    const aborted = await rollout(id);
    expect(aborted).toMatchObject({ phase: 'aborted', canaryWeight: 0 });
    expect(aborted.reason).toContain('statistical judge: fail');
    expect(aborted.reason).toMatch(/latency-ms: regression: canary shift \+50 .*, always-valid p [=<] [\d.e-]+ \(fail below 0\.004\)/);
    // The same p-values as fields: on the transition the analysis caused (API and event), on no other.
    const transitions = (await sut.http().get(`/v1/rollouts/${id}/transitions`).expect(200)).body as { reason: string; judgedMetrics: { metric: string; regression: boolean; pValue: number | null; level: number }[] | null }[];
    const judged = transitions.filter((transition) => transition.judgedMetrics !== null);
    expect(judged).toHaveLength(1);
    expect(judged[0]?.reason).toContain('analysis of step 2 failed');
    const [errorRate, latency] = judged[0]?.judgedMetrics ?? [];
    expect(errorRate).toMatchObject({ metric: 'error-rate', regression: false, level: 0.006 });
    expect(latency).toMatchObject({ metric: 'latency-ms', regression: true, level: 0.004 });
    expect(latency?.pValue).toBeLessThan(0.004);
    await eventually(() => {
      const events = sut.routingEvents.filter((candidate): candidate is StrataEvent<'io.strata.routing.rollout.transitioned.v1'> => candidate.type === 'io.strata.routing.rollout.transitioned.v1');
      const event = events.find((candidate) => candidate.data.reason === judged[0]?.reason);
      expect(event?.data.judgedMetrics).toEqual(judged[0]?.judgedMetrics);
    });
  }, 60_000);

  it('passes an A/A rollout: the same traffic on both sides passes every analysis', async () => {
    const started = sut.clock.now;
    const id = ((await create([{ setWeight: 20 }, { analysis: { window: '30s', minSamples: 50 } }, { setWeight: 50 }, { analysis: { window: '30s', minSamples: 50 } }, { setWeight: 100 }]).expect(201)).body as RolloutBody).id;
    await publishWindows(started, 3, { requests: 100, errors: 1, latencyMs: 2 }, { requests: 400, errors: 4, latencyMs: 2 });
    sut.clock.now = started + WINDOW_MS;
    await sut.tick();
    expect(await rollout(id)).toMatchObject({ phase: 'progressing', stepIndex: 3, canaryWeight: 50 });
    await publishWindows(started + WINDOW_MS, 3, { requests: 250, errors: 2, latencyMs: 2 }, { requests: 250, errors: 3, latencyMs: 2 });
    sut.clock.now = started + 2 * WINDOW_MS;
    await sut.tick();
    expect(await rollout(id)).toMatchObject({ phase: 'promoted', canaryWeight: 100 });
  }, 60_000);

  it('carries the triggers as declared in the creating transition, and leaves their evaluation to the rollback service', async () => {
    const started = sut.clock.now;
    const trigger = 'error_rate(canary) > 2 * error_rate(stable) and error_rate(canary) > 0.01';
    const declared = [{ when: 'judge == Fail' }, { when: trigger, for: '5s', minRequests: 20 }, { when: 'anomaly(severity >= high, scope = canary)' }];
    const body = await createWithTriggers([{ setWeight: 50 }, { analysis: { window: '1m' } }, { setWeight: 100 }], declared).expect(201);
    const id = (body.body as RolloutBody).id;
    expect(body.body).toMatchObject({ rollbackTriggers: ['judge == Fail', `${trigger} for 5s`, 'anomaly(severity >= high, scope = canary)'] });
    await eventually(async () => {
      const transitions = sut.routingEvents.filter((event): event is StrataEvent<'io.strata.routing.rollout.transitioned.v1'> => event.type === 'io.strata.routing.rollout.transitioned.v1').filter((event) => event.data.rollout === `canary-${seeded.stack}`);
      const [creating, ...others] = transitions.map((event) => event.data);
      expect(creating).toMatchObject({ from: null, to: 'pending' });
      expect(creating.rollbackTriggers).toEqual(declared);
      expect(others.map((data) => data.to)).toContain('progressing');
      expect(others.filter((data) => 'rollbackTriggers' in data)).toEqual([]);
    });
    // 30 errors in 100 requests for 20 s: the trigger holds, but only the rollback service acts on it.
    await publishWindows(started, 2, { requests: 100, errors: 30 }, { requests: 100, errors: 1 });
    sut.clock.now = started + 22_000;
    await sut.tick();
    expect(await rollout(id)).toMatchObject({ phase: 'progressing', canaryWeight: 50 });
  }, 60_000);

  it('undoes a promotion at once: all traffic back on the previous stable, the rollout rolled back', async () => {
    const id = ((await create([{ setWeight: 100 }]).expect(201)).body as RolloutBody).id;
    expect(await rollout(id)).toMatchObject({ phase: 'promoted', baselineConfig: seeded.stable });
    expect((await policy()).config.stableConfig).toBe(seeded.canary);
    const before = (await policy()).version;

    const undone = await command(id, 'undo', { reason: 'p99 doubled after promotion' }).expect(200);
    expect(undone.body).toMatchObject({ phase: 'rolled-back', canaryWeight: 0, reason: 'promotion undone: p99 doubled after promotion' });
    const after = await policy();
    expect(after.version).toBe(before + 1);
    expect(after.config.stableConfig).toBe(seeded.stable);
    expect(weights(after)).toEqual({ [seeded.stable]: 100, [seeded.canary]: 0 });
    expect((await command(id, 'undo').expect(409)).body.detail).toBe('cannot undo a rollout that is rolled-back');
  }, 60_000);

  it('holds a weight step and refuses a promotion while a gateway reports the canary without an available node', async () => {
    const started = sut.clock.now;
    const id = ((await create([{ setWeight: 20 }, { pause: { duration: '10s' } }, { setWeight: 50 }, { pause: {} }, { setWeight: 100 }]).expect(201)).body as RolloutBody).id;
    const gateway = { stack: seeded.stack, environment: 'production', gatewayId: `gw-${seeded.stack}` };
    await sut.publish('io.strata.routing.config.applied.v1', 'gateway', { ...gateway, version: 2 });
    const report = (unavailableConfigs: string[]) => ({ ...gateway, version: 2, mode: 'normal' as const, previousMode: 'normal' as const, unavailableConfigs, servingConfigs: [seeded.stable], reason: 'test' });
    await sut.publish('io.strata.routing.gateway.fallback.changed.v1', 'gateway', report([seeded.canary]));
    await eventually(async () => expect((await sut.sql.query('SELECT 1 FROM routing.gateway_availability WHERE gateway_id = $1', [gateway.gatewayId])).rowCount).toBe(1));

    sut.clock.now = started + 10_000;
    await sut.tick();
    const held = await rollout(id);
    expect(held).toMatchObject({ phase: 'paused', stepIndex: 2, canaryWeight: 20, pause: { cause: 'manual' } });
    expect(held.reason).toContain(`gateway gw-${seeded.stack} (since `);
    expect(weights(await policy())).toEqual({ [seeded.stable]: 80, [seeded.canary]: 20 });
    const refused = await command(id, 'promote', { full: true }).expect(412);
    expect(refused.body.detail).toMatch(/^cannot move traffic onto the canary .*: gateway gw-.* reports no available node for it$/);

    await sut.publish('io.strata.routing.gateway.fallback.changed.v1', 'gateway', report([]));
    await eventually(async () => {
      await command(id, 'resume').expect(200);
    });
    expect(await rollout(id)).toMatchObject({ phase: 'paused', stepIndex: 3, canaryWeight: 50 });
  }, 60_000);

  it('an operator abort waits for every known gateway to apply the drained policy before it is rolled back', async () => {
    const id = ((await create([{ setWeight: 30 }, { pause: {} }]).expect(201)).body as RolloutBody).id;
    const gateway = { stack: seeded.stack, environment: 'production', gatewayId: `gw-${seeded.stack}` };
    await sut.publish('io.strata.routing.config.applied.v1', 'gateway', { ...gateway, version: 2 });
    await command(id, 'abort', { reason: 'latency doubled' }).expect(200);
    await eventually(async () => expect((await sut.sql.query('SELECT 1 FROM routing.gateway_status WHERE gateway_id = $1', [gateway.gatewayId])).rowCount).toBe(1));
    await sut.tick();
    expect(await rollout(id)).toMatchObject({ phase: 'aborted', reason: 'latency doubled' });

    await sut.publish('io.strata.routing.config.applied.v1', 'gateway', { ...gateway, version: 3 });
    await eventually(async () => {
      await sut.tick();
      expect((await rollout(id)).phase).toBe('rolled-back');
    });
  }, 60_000);

  it('refuses a spec naming a canary not deployed to the environment or only staged there, and an invalid step by its field', async () => {
    const notDeployed = await sut.http().post(`/v1/stacks/${seeded.stack}/rollouts`).send({ name: 'x', spec: { environment: 'production', versionGroup: seeded.notDeployed, steps: [{ setWeight: 5 }] } }).expect(422);
    expect(notDeployed.body.errors).toEqual([{ field: 'spec.versionGroup', message: 'is not deployed to production' }]);
    const staged = await sut.http().post(`/v1/stacks/${seeded.stack}/rollouts`).send({ name: 'y', spec: { environment: 'production', versionGroup: seeded.stagedOnly, steps: [{ setWeight: 5 }] } }).expect(422);
    expect(staged.body.errors).toEqual([{ field: 'spec.versionGroup', message: 'is deployed to the staging location of production only, not to its production location' }]);
    const invalid = await create([{ setWeight: 500 }]).expect(422);
    expect(invalid.body.errors.map((error: { field: string }) => error.field)).toEqual(['spec.steps[0].setWeight']);
  });

  it('refuses an id that is not a UUID with a 400 naming the field, as every other invalid request', async () => {
    for (const request of [sut.http().get('/v1/rollouts/nope'), sut.http().get('/v1/rollouts/nope/transitions'), command('nope', 'abort', { reason: 'x' })]) {
      const refused = await request.expect(400).expect('Content-Type', /application\/problem\+json/);
      expect(refused.body).toMatchObject({ status: 400, errors: [{ field: 'id', message: 'id must be a UUID' }] });
    }
  });

  it('runs a Rollout the registry declared, once however often it is announced', async () => {
    const declared = { stack: seeded.stack, rollout: `declared-${seeded.stack}`, spec: { environment: 'production', versionGroup: seeded.canary, steps: [{ setWeight: 5 }, { pause: {} }] }, checksum: 'sha256:abc', actor: 'alice' };
    await sut.publish('io.strata.registry.rollout.declared.v1', 'registry', declared);
    await sut.publish('io.strata.registry.rollout.declared.v1', 'registry', declared);
    await eventually(async () => {
      const list = (await sut.http().get(`/v1/rollouts?stack=${seeded.stack}`).expect(200)).body as RolloutBody[];
      expect(list).toEqual([expect.objectContaining({ name: declared.rollout, phase: 'paused', canaryWeight: 5 })]);
    });
  });
});
