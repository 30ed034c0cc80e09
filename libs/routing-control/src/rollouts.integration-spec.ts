import { eventually } from '@strata/testing';
import { RoutingControlTestApp, startRoutingControlTestApp } from './test-support/routing-control-test-app';
import { SeededStack, publishKpiWindow, publishTrafficWindow, seedStackWithPolicy } from './test-support/routing-fixtures';

interface RolloutBody {
  id: string;
  name: string;
  phase: string;
  stepIndex: number;
  canaryWeight: number;
  pause: { cause: string } | null;
  reason: string | null;
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
  const publishWindow = async (stackConfig: string, requests: number, errors: number, start: number): Promise<void> => {
    await publishTrafficWindow(sut, seeded.stack, stackConfig, { requests, errors }, start);
    await eventually(async () => {
      const { rows } = await sut.sql.query<{ count: string }>('SELECT count(*) FROM routing.kpi_windows WHERE stack_config = $1 AND window_start = $2', [stackConfig, new Date(start)]);
      expect(Number(rows[0].count)).toBe(2);
    });
  };

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

    await publishWindow(seeded.canary, 100, 1, started);
    await publishWindow(seeded.stable, 900, 9, started + 10_000);
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

  it('aborts when the analysis fails, puts all weight back on stable and ends rolled back', async () => {
    const started = sut.clock.now;
    const id = ((await create([{ setWeight: 20 }, { analysis: { window: '30s', minSamples: 50 } }, { setWeight: 100 }]).expect(201)).body as RolloutBody).id;
    // The default (statistical) judge: 10 % errors on the canary against 1 % on stable.
    await publishWindow(seeded.canary, 200, 20, started);
    await publishWindow(seeded.stable, 800, 8, started);
    sut.clock.now = started + WINDOW_MS;
    await sut.tick();
    const aborted = await rollout(id);
    expect(aborted).toMatchObject({ phase: 'aborted', canaryWeight: 0 });
    expect(aborted.reason).toContain('analysis of step 1 failed');
    expect(weights(await policy())).toEqual({ [seeded.stable]: 100, [seeded.canary]: 0 });

    await sut.tick();
    expect((await rollout(id)).phase).toBe('rolled-back');
  }, 60_000);

  it('aborts on a latency regression the statistical judge finds in the per-node KPI windows, error rates being equal', async () => {
    const started = sut.clock.now;
    const id = ((await create([{ setWeight: 20 }, { analysis: { window: '60s', minSamples: 50 } }, { setWeight: 100 }]).expect(201)).body as RolloutBody).id;
    await publishWindow(seeded.canary, 300, 0, started);
    await publishWindow(seeded.stable, 1_200, 0, started);
    // Six 10 s windows per side, as metrics-ingest publishes them: mean latency ~80 ms on the
    // canary against ~40 ms on stable (count 10 each).
    for (let index = 0; index < 6; index++) {
      const start = started + index * 10_000;
      await publishKpiWindow(sut, seeded.stack, seeded.canary, 'gateway_request_duration_ms', (80 + index) * 10, start);
      await publishKpiWindow(sut, seeded.stack, seeded.stable, 'gateway_request_duration_ms', (40 + index) * 10, start);
    }
    await eventually(async () => {
      const { rows } = await sut.sql.query<{ count: string }>("SELECT count(*) FROM routing.kpi_windows WHERE metric = 'gateway_request_duration_ms' AND stack_config IN ($1, $2)", [seeded.canary, seeded.stable]);
      expect(Number(rows[0].count)).toBe(12);
    });

    sut.clock.now = started + 60_000;
    await sut.tick();

    const aborted = await rollout(id);
    expect(aborted).toMatchObject({ phase: 'aborted', canaryWeight: 0 });
    expect(aborted.reason).toContain('statistical judge: fail');
    expect(aborted.reason).toMatch(/mean-latency-ms: regression: canary shift \+40 /);
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

  it('refuses a spec naming a canary not deployed to the environment, and an invalid step by its field', async () => {
    const notDeployed = await sut.http().post(`/v1/stacks/${seeded.stack}/rollouts`).send({ name: 'x', spec: { environment: 'production', versionGroup: seeded.notDeployed, steps: [{ setWeight: 5 }] } }).expect(422);
    expect(notDeployed.body.errors).toEqual([{ field: 'spec.versionGroup', message: 'is not deployed to production' }]);
    const invalid = await create([{ setWeight: 500 }]).expect(422);
    expect(invalid.body.errors.map((error: { field: string }) => error.field)).toEqual(['spec.steps[0].setWeight']);
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
