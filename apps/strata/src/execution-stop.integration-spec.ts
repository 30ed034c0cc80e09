import { Topics } from '@strata/contracts';
import { newEvent } from '@strata/messaging';
import { RegistryModule, TokensService } from '@strata/registry';
import { RollbackModule } from '@strata/rollback';
import { RoutingControlModule } from '@strata/routing-control';
import { eventually } from '@strata/testing';
import { ServiceTestApp, freePort, startServiceTestApp } from '@strata/testing/harness';

interface Execution {
  id: string;
  status: string;
  steps: { component: string; action: string; status: string; error: string | null; outcome?: string | null }[];
}

/**
 * An operator stops a running execution (nodes of the new version that never come, a canary left
 * paused): the registry, routing-control and the rollback service on one origin, as `npm start` runs them.
 */
describe('stopping a running execution', () => {
  let sut: ServiceTestApp;
  const http = () => sut.http();

  const execution = async (id: string) => (await http().get(`/v1/executions/${id}`).expect(200)).body as Execution;
  const until = <T>(check: () => Promise<T>) => eventually(check, 30_000, 100);

  /** A stack whose `shop-api` 1.0.0 is deployed by an execution; 2.0.0 registered with `config` (its app step's). */
  const seed = async (stack: string, config: Record<string, unknown>) => {
    await http().post('/v1/stacks').send({ name: stack, environments: [{ name: 'production' }] }).expect(201);
    await http().post('/v1/components').send({ name: `${stack}-api`, stack, type: 'app' }).expect(201);
    for (const [version, versionConfig] of [['1.0.0', { minReadyNodes: 0 }], ['2.0.0', config]] as const) {
      await http().post(`/v1/components/${stack}-api/versions`).send({ version, config: versionConfig, spec: { artifact: `registry.example/${stack}-api:${version}`, port: 8080 } }).expect(201);
      await http().post(`/v1/stacks/${stack}/version-groups`).send({ name: `${stack}-${version}`, environment: 'production', members: [{ component: `${stack}-api`, version }] }).expect(201);
    }
    await http().post('/v1/nodes/heartbeat').send({ stack, environment: 'production', location: 'production', component: `${stack}-api`, address: '127.0.0.1:9201', version: '1.0.0' }).expect(200);
    const first = (await until(async () => (await http().post(`/v1/stacks/${stack}/environments/production/deploy`).send({ versionGroup: `${stack}-1.0.0` }).expect(202)).body)) as Execution;
    await until(async () => expect((await execution(first.id)).status).toBe('succeeded'));
    // No gateway runs here: the traffic step succeeds, and says that no request moved.
    expect((await execution(first.id)).steps.at(-1)?.outcome).toContain(`no live gateway serves ${stack}/production: no traffic moves until one does`);
  };

  const productionSlots = async (stack: string) => {
    const map = (await http().get(`/v1/stacks/${stack}/environments/production/version-map`).expect(200)).body as { slots: { component: string; version: string; location: string; status: string }[] };
    return map.slots.filter((slot) => slot.location === 'production').map((slot) => `${slot.component}@${slot.version} ${slot.status}`);
  };

  beforeAll(async () => {
    const port = await freePort();
    sut = await startServiceTestApp({
      label: 'execution-stop',
      poolSize: 6,
      outboxPollIntervalMs: 50,
      modules: (options) => [RegistryModule.register(options), RoutingControlModule.register(options, { tickMs: 100, resyncMs: 0 }), RollbackModule.register(options, { tickMs: 100 })],
      tokenLookup: (built) => built.get(TokensService, { strict: false }),
    });
    await sut.app.listen(port, '127.0.0.1');
  }, 120_000);

  afterAll(async () => {
    await sut?.close();
  });

  it('fails the app step waiting for nodes that never come, naming who stopped it and why; the version map is as before; then abandoned', async () => {
    await seed('stop-app', { minReadyNodes: 1 });
    const started = (await http().post('/v1/stacks/stop-app/environments/production/deploy').send({ versionGroup: 'stop-app-2.0.0' }).expect(202)).body as Execution;
    await until(async () => expect((await execution(started.id)).steps.find((step) => step.action === 'apply')?.status).toBe('running'));

    const badReason = await http().post(`/v1/executions/${started.id}/stop`).send({ reason: 42 });
    expect({ status: badReason.status, fields: [...new Set(badReason.body.errors?.map((error: { field: string }) => error.field))] }).toEqual({ status: 400, fields: ['reason'] });
    const stopped = (await http().post(`/v1/executions/${started.id}/stop`).send({ reason: 'the new nodes crash-loop' }).expect(200)).body as Execution;
    expect(stopped.status).toBe('failed');
    expect(stopped.steps.map((step) => `${step.action} ${step.status}`)).toEqual(['apply failed', 'traffic pending']);
    expect(stopped.steps[0]?.error).toMatch(/^stopped by .+: the new nodes crash-loop$/);

    // The runner leaves it failed: the step is not picked up again on the next ticks.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await execution(started.id)).status).toBe('failed');
    await until(async () => expect(await productionSlots('stop-app')).toEqual(['stop-app-api@1.0.0 deployed']));

    const again = await http().post(`/v1/executions/${started.id}/stop`).send({});
    expect({ status: again.status, detail: again.body.detail }).toEqual({ status: 409, detail: expect.stringContaining('only a running execution is stopped') });
    await http().post(`/v1/executions/${started.id}/abandon`).expect(200);
    await http().post('/v1/executions/00000000-0000-4000-8000-000000000000/stop').send({}).expect(404);
    // The environment is free again.
    const next = (await http().post('/v1/stacks/stop-app/environments/production/deploy').send({ versionGroup: 'stop-app-2.0.0', dryRun: true }).expect(200)).body;
    expect(next.plan.versionGroup).toBe('stop-app-2.0.0');
  }, 120_000);

  it('stops a deploy whose canary rollout waits on a pause: the rollout is aborted and rolled back, the stable group keeps the traffic', async () => {
    await seed('stop-canary', { minReadyNodes: 0 });
    await http().post('/v1/nodes/heartbeat').send({ stack: 'stop-canary', environment: 'production', location: 'production', component: 'stop-canary-api', address: '127.0.0.1:9202', version: '2.0.0' }).expect(200);
    const started = (await http().post('/v1/stacks/stop-canary/environments/production/deploy').send({ versionGroup: 'stop-canary-2.0.0', canary: { steps: [{ pause: {} }] } }).expect(202)).body as Execution;
    const rolloutOf = async () => {
      const items = (await http().get('/v1/rollouts?stack=stop-canary').expect(200)).body as { id: string; name: string; phase: string }[];
      expect(items).toHaveLength(1);
      return items[0] as { id: string; name: string; phase: string };
    };
    await until(async () => expect((await rolloutOf()).phase).toBe('paused'));

    const stopped = (await http().post(`/v1/executions/${started.id}/stop`).send({}).expect(200)).body as Execution;
    expect(stopped.steps.find((step) => step.action === 'traffic')).toMatchObject({ status: 'failed', error: expect.stringMatching(/^stopped by \S+$/) });
    await until(async () => expect((await rolloutOf()).phase).toBe('rolled-back'));
    const policy = (await http().get('/v1/stacks/stop-canary/environments/production/routing-policy').expect(200)).body as { config: { stableConfig: string; stackConfigs: { name: string; weight: number }[] } };
    expect(policy.config.stableConfig).toBe('stop-canary-1.0.0');
    expect(policy.config.stackConfigs.filter((stackConfig) => stackConfig.weight > 0).map((stackConfig) => stackConfig.name)).toEqual(['stop-canary-1.0.0']);

    // Routing-control reads the stop's abort and the rollout's request on consumer groups of their own: when the
    // abort comes first it finds nothing, and the rollout starts with no one following it. Its start is then aborted.
    const rollout = await rolloutOf();
    const rolloutStarted = newEvent({
      type: 'io.strata.routing.rollout.transitioned.v1',
      service: 'routing-control',
      subject: 'stop-canary',
      data: { stack: 'stop-canary', environment: 'production', rollout: rollout.name, versionGroup: 'stop-canary-2.0.0', from: null, to: 'progressing', stepIndex: 0, canaryWeight: 0, reason: 'started', policyVersion: 9, actor: 'routing-control' },
    });
    await sut.bus.publish([{ topic: Topics.routingEvents, key: 'stop-canary', value: JSON.stringify(rolloutStarted) }]);
    await until(async () => {
      const { rows } = await sut.sql.query<{ data: { rollout: string; reason: string } }>(`SELECT event->'data' AS data FROM rollback.outbox WHERE event_type = 'io.strata.rollback.rollout.abort-requested.v1'`);
      expect(rows.map((row) => row.data)).toContainEqual(expect.objectContaining({ rollout: rollout.name, reason: expect.stringContaining('started after its traffic step had failed: stopped by ') }));
    });
  }, 120_000);
});
