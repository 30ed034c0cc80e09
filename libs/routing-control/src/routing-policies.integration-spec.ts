import { eventually } from '@strata/testing';
import { PolicyResync } from './services/policy-resync.service';
import { RoutingControlTestApp, startRoutingControlTestApp } from './test-support/routing-control-test-app';
import { SeededStack, aPolicy, seedStack } from './test-support/routing-fixtures';

describe('routing policies', () => {
  let sut: RoutingControlTestApp;
  let seeded: SeededStack;
  const policyPath = () => `/v1/stacks/${seeded.stack}/environments/production/routing-policy`;

  beforeAll(async () => {
    sut = await startRoutingControlTestApp('routing-policies');
  }, 60_000);

  beforeEach(async () => {
    seeded = await seedStack(sut);
  });

  afterAll(async () => {
    await sut?.close();
  }, 30_000);

  it('refuses an invalid policy with problem+json naming each field', async () => {
    const stackConfigs = [{ name: seeded.stable, weight: -1, nodes: [{ id: 'n', url: 'not-a-url' }] }];
    const response = await sut.http().put(policyPath()).send(aPolicy(seeded, { stackConfigs })).expect(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect((response.body as { errors: { field: string }[] }).errors.map((error) => error.field)).toEqual(['stackConfigs[0].weight', 'stackConfigs[0].nodes[0].url', 'stackConfigs']);
  });

  it('refuses version groups that do not exist or are not deployed to the environment, naming the stack config', async () => {
    const body = aPolicy(seeded);
    const stackConfigs = [...(body['stackConfigs'] as object[]), { name: seeded.notDeployed, weight: 0, nodes: [{ id: 'x', url: 'http://127.0.0.1:9003' }] }, { name: 'ghost', weight: 0, nodes: [{ id: 'y', url: 'http://127.0.0.1:9004' }] }];
    const response = await sut.http().put(policyPath()).send({ ...body, stackConfigs }).expect(422);
    expect((response.body as { errors: unknown[] }).errors).toEqual([
      { field: 'stackConfigs[2].name', message: `version group '${seeded.notDeployed}' is not deployed to production` },
      { field: 'stackConfigs[3].name', message: `'ghost' is not a version group of stack ${seeded.stack}` },
    ]);
  });

  it('refuses an unknown environment with 404', async () => {
    await sut.http().put(`/v1/stacks/${seeded.stack}/environments/moon/routing-policy`).send(aPolicy(seeded)).expect(404);
  });

  it('gives every change the next version and publishes it', async () => {
    const first = await sut.http().put(policyPath()).send(aPolicy(seeded)).expect(200);
    const second = await sut.http().put(policyPath()).send(aPolicy(seeded, { stickiness: { cookie: 'session' } })).expect(200);
    expect([first.body.version, second.body.version]).toEqual([1, 2]);
    const current = await sut.http().get(policyPath()).expect(200);
    expect(current.body).toMatchObject({ version: 2, config: { stickiness: { cookie: 'session' }, retryBudget: { ratio: 0.2 } } });
    await eventually(() =>
      expect(sut.routingEvents.filter((event) => event.type === 'io.strata.routing.config.published.v1' && event.subject === seeded.stack).map((event) => (event.data as { version: number }).version)).toEqual([1, 2]),
    );
    const history = await sut.http().get(`${policyPath()}/versions`).expect(200);
    expect((history.body as { version: number }[]).map((policy) => policy.version)).toEqual([2, 1]);
  });

  it('republishes the current version of every policy, so a gateway without history gets its config', async () => {
    const other = await seedStack(sut);
    await sut.http().put(policyPath()).send(aPolicy(seeded)).expect(200);
    await sut.http().put(policyPath()).send(aPolicy(seeded, { stickiness: { cookie: 'session' } })).expect(200);
    await sut.http().put(`/v1/stacks/${other.stack}/environments/production/routing-policy`).send(aPolicy(other)).expect(200);
    const published = (stack: string) =>
      sut.routingEvents
        .filter((event) => event.type === 'io.strata.routing.config.published.v1' && event.subject === stack)
        .map((event) => event.data as { version: number; config: { stickiness?: unknown } });
    await eventually(() => expect(published(seeded.stack)).toHaveLength(2));

    await sut.app.get(PolicyResync).resync();

    await eventually(() => {
      expect(published(seeded.stack).map((data) => data.version)).toEqual([1, 2, 2]);
      expect(published(other.stack).map((data) => data.version)).toEqual([1, 1]);
    });
    expect(published(seeded.stack)[2]).toEqual(published(seeded.stack)[1]);
  });

  it('shows each gateway in sync, stale or rejected from their ACKs and NACKs', async () => {
    await sut.http().put(policyPath()).send(aPolicy(seeded)).expect(200);
    await sut.http().put(policyPath()).send(aPolicy(seeded, { stickiness: { header: 'x-user' } })).expect(200);
    const { stack } = seeded;
    const identity = { stack, environment: 'production' };
    await sut.publish('io.strata.routing.config.applied.v1', 'gateway', { ...identity, version: 2, gatewayId: 'gw-a' });
    await sut.publish('io.strata.routing.config.applied.v1', 'gateway', { ...identity, version: 1, gatewayId: 'gw-b' });
    await sut.publish('io.strata.routing.config.rejected.v1', 'gateway', { ...identity, version: 2, gatewayId: 'gw-b', reason: 'bad', violations: [{ field: 'config.x', message: 'no' }], keptVersion: 1 });
    await sut.publish('io.strata.routing.config.applied.v1', 'gateway', { ...identity, version: 1, gatewayId: 'gw-c' });
    await eventually(async () => {
      const status = await sut.http().get(`${policyPath()}/status`).expect(200);
      expect(status.body).toMatchObject({
        version: 2,
        gateways: [
          { gatewayId: 'gw-a', status: 'in-sync', appliedVersion: 2 },
          { gatewayId: 'gw-b', status: 'rejected', appliedVersion: 1, rejectedVersion: 2, rejectionReason: 'bad', violations: [{ field: 'config.x', message: 'no' }] },
          { gatewayId: 'gw-c', status: 'stale', appliedVersion: 1 },
        ],
      });
    });
  });
});
