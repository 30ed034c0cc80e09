import { KpiSeriesLabels, Topics } from '@strata/contracts';
import { newEvent } from '@strata/messaging';
import { PredictiveStagingModule, readPredictiveStagingSettings } from '@strata/predictive-staging';
import { RegistryModule, TokensService } from '@strata/registry';
import { RollbackModule } from '@strata/rollback';
import { RoutingControlModule } from '@strata/routing-control';
import { eventually } from '@strata/testing';
import { ServiceTestApp, freePort, startServiceTestApp } from '@strata/testing/harness';

const STACK = 'shop';
const WINDOW_MS = 10_000;
const START = Date.UTC(2026, 11, 1);

interface Proposal {
  id: string;
  kind: string;
  status: string;
  reason: string;
  change: { version: string; versionGroup: string };
  staging: { method: string; steps: { action: string; component: string; fromVersion: string | null; toVersion: string | null }[] | null; validated: boolean } | null;
  promotion: { versionGroup?: string; version?: string; executionId?: string; error: string | null } | null;
  transitions?: { to: string }[];
}

interface Execution {
  id: string;
  status: string;
  steps: { component: string; action: string; status: string; error: string | null }[];
}

/**
 * Issue [P] point 5 as the embedded mode runs it: the registry, the rollback service, routing-control
 * and predictive-staging on one origin. Groups v1 then v2 of an app are deployed by forward
 * executions; predictive-staging learns them from the registry's events; v2's error rate regresses →
 * an app-version proposal naming v1; staged on the rollback service's dry run, validated, and promoted
 * by its forward execution of v1 (no new version registered): the registry's version map shows v1.
 */
describe('app-version proposal from a regression, promoted', () => {
  let sut: ServiceTestApp;
  const http = () => sut.http();

  const deploy = async (versionGroup: string) => {
    const started = await eventually(async () => (await http().post(`/v1/stacks/${STACK}/environments/production/deploy`).send({ versionGroup }).expect(202)).body as Execution, 20_000, 100);
    const done = await eventually(
      async () => {
        const current = (await http().get(`/v1/executions/${started.id}`).expect(200)).body as Execution;
        if (!['succeeded', 'failed', 'abandoned'].includes(current.status)) throw new Error(`execution still ${current.status}`);
        return current;
      },
      60_000,
      100,
    );
    expect({ status: done.status, failed: done.steps.filter((step) => step.status === 'failed') }).toEqual({ status: 'succeeded', failed: [] });
  };

  const publishWindows = async (seriesId: string, series: KpiSeriesLabels, values: readonly number[]) => {
    const messages = values.map((value, i) => {
      const windowStart = START + i * WINDOW_MS;
      const event = newEvent({ type: 'io.strata.kpi.window.v1', service: 'metrics-ingest', subject: seriesId, data: { series, seriesId, windowStart, windowEnd: windowStart + WINDOW_MS, count: 10, sum: value * 10, mean: value, min: value, max: value, p50: value, p95: value, p99: value } });
      return { topic: Topics.kpiWindows, key: seriesId, value: JSON.stringify(event) };
    });
    await sut.bus.publish(messages);
  };

  beforeAll(async () => {
    const port = await freePort();
    const settings = readPredictiveStagingSettings({ PREDICTIVE_LSTM_ENABLED: 'false', PREDICTIVE_FORECAST_INTERVAL_MS: '0', PREDICTIVE_PROMOTION_WAIT_MS: '60000' }, `http://127.0.0.1:${port}`);
    sut = await startServiceTestApp({
      label: 'app-version-promotion',
      poolSize: 6,
      outboxPollIntervalMs: 50,
      modules: (options) => [
        RegistryModule.register(options),
        RoutingControlModule.register(options, { tickMs: 100, resyncMs: 0 }),
        RollbackModule.register(options, { tickMs: 100 }),
        PredictiveStagingModule.register(options, settings, {}),
      ],
      tokenLookup: (built) => built.get(TokensService, { strict: false }),
    });
    await sut.app.listen(port, '127.0.0.1');

    await http().post('/v1/stacks').send({ name: STACK, environments: [{ name: 'production' }] }).expect(201);
    await http().post('/v1/components').send({ name: 'shop-api', stack: STACK, type: 'app' }).expect(201);
    for (const version of ['1.0.0', '2.0.0']) {
      // No process of the app runs here: the app step need not wait for a healthy node of the version.
      await http().post('/v1/components/shop-api/versions').send({ version, config: { minReadyNodes: 0 }, spec: { artifact: `registry.example/shop-api:${version}`, port: 8080 } }).expect(201);
      await http().post(`/v1/stacks/${STACK}/version-groups`).send({ name: `shop-${version}`, environment: 'production', members: [{ component: 'shop-api', version }] }).expect(201);
    }
    // The routing policy of a group needs a node of its app: one per version reports by heartbeat (no process behind it serves here).
    for (const [version, port] of [['1.0.0', 9101], ['2.0.0', 9102]] as const) {
      await http().post('/v1/nodes/heartbeat').send({ stack: STACK, environment: 'production', location: 'production', component: 'shop-api', address: `127.0.0.1:${port}`, version }).expect(200);
    }
    await deploy('shop-1.0.0');
    await deploy('shop-2.0.0');
  }, 180_000);

  afterAll(async () => {
    await sut?.close();
  });

  it('refuses a deploy, a dry run or a rollback to an environment the stack does not have, naming the field, and starts nothing', async () => {
    const before = (await http().get(`/v1/executions?stack=${STACK}`).expect(200)).body.items as Execution[];
    for (const [path, body] of [
      ['deploy', { versionGroup: 'shop-1.0.0' }],
      ['deploy', { versionGroup: 'shop-1.0.0', dryRun: true }],
      ['rollback', { to: 'shop-1.0.0' }],
    ] as const) {
      const answer = await http().post(`/v1/stacks/${STACK}/environments/prodution/${path}`).send(body);
      expect({ status: answer.status, type: answer.headers['content-type'] }).toEqual({ status: 422, type: expect.stringContaining('application/problem+json') });
      expect(answer.body.errors).toEqual([{ field: 'environment', message: expect.stringContaining("stack 'shop' has no environment 'prodution'") }]);
      expect(answer.body.errors[0].message).toContain("(it has 'production';");
    }
    expect((await http().get(`/v1/executions?stack=${STACK}`).expect(200)).body.items).toHaveLength(before.length);
  });

  let proposal: Proposal;

  it("proposes shop-api 1.0.0 (shop-1.0.0) as last known good when 2.0.0's error rate regresses", async () => {
    const labels = (stackConfig: string): KpiSeriesLabels => ({ stack: STACK, environment: 'production', component: 'shop-api', stackConfig, node: 'node-1', metric: 'gateway_error_rate' });
    await publishWindows('v1', labels('shop-1.0.0'), Array.from({ length: 30 }, (_, i) => 1 + (i % 3) * 0.02));
    await publishWindows('v2', labels('shop-2.0.0'), Array.from({ length: 175 }, (_, i) => (i < 170 ? 1 + (i % 3) * 0.02 : 8)));
    const listed = await eventually(
      async () => {
        const items = (await http().get(`/v1/proposals?kind=app-version&stack=${STACK}`).expect(200)).body.items as Proposal[];
        expect(items).toHaveLength(1);
        return items;
      },
      60_000,
      200,
    );
    proposal = listed[0] as Proposal;
    expect(proposal).toMatchObject({ status: 'proposed', change: { version: '1.0.0', versionGroup: 'shop-1.0.0' } });
  }, 90_000);

  it("stages it on the rollback service's dry run, validates it, and promotes it by the forward execution of shop-1.0.0", async () => {
    const staged = (await http().post(`/v1/proposals/${proposal.id}/stage`).expect(200)).body as Proposal;
    expect(staged.staging).toMatchObject({ method: 'rollback-dry-run', validated: true, steps: expect.arrayContaining([expect.objectContaining({ component: 'shop-api', fromVersion: '2.0.0', toVersion: '1.0.0' })]) });
    await http().post(`/v1/proposals/${proposal.id}/validate`).expect(200);
    const answer = await http().post(`/v1/proposals/${proposal.id}/promote`).send({});
    expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 200, body: { status: 'promoted' } });
    const promoted = answer.body as Proposal;
    expect(promoted.promotion).toMatchObject({ version: '1.0.0', versionGroup: 'shop-1.0.0', executionId: expect.any(String), error: null });
    expect(promoted.reason).toBe(`shop-api back at 1.0.0: version group shop-1.0.0 deployed by execution ${promoted.promotion?.executionId}`);
    const map = (await http().get(`/v1/stacks/${STACK}/environments/production/version-map`).expect(200)).body as { slots: { component: string; version: string; location: string }[] };
    expect(map.slots.filter((slot) => slot.location === 'production').map((slot) => `${slot.component}@${slot.version}`)).toEqual(['shop-api@1.0.0']);
    expect(((await http().get('/v1/components/shop-api/versions').expect(200)).body as { version: string }[]).map((version) => version.version).sort()).toEqual(['1.0.0', '2.0.0']);
    expect(((await http().get(`/v1/proposals/${proposal.id}`).expect(200)).body as Proposal).transitions?.map((transition) => transition.to)).toEqual(['proposed', 'staged', 'validated', 'promoted']);
  }, 120_000);
});
