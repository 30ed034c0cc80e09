import { withCanaryWeight } from '@strata/domain';
import { eventually } from '@strata/testing';
import { RoutingTransactions } from './repositories/transactions';
import { PolicyResync } from './services/policy-resync.service';
import { RoutingPoliciesService } from './services/routing-policies.service';
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

  it('mirrors to a stack config of the policy as the next version, keeping the rest, and stops it once', async () => {
    await sut.http().put(policyPath()).send(aPolicy(seeded, { stickiness: { cookie: 'session' } })).expect(200);
    const mirrored = await sut.http().put(`${policyPath()}/mirror`).send({ stackConfig: seeded.canary, sampleRate: 0.25 }).expect(200);
    expect(mirrored.body).toMatchObject({ version: 2, reason: `mirroring 0.25 of requests to ${seeded.canary}`, config: { mirror: { stackConfig: seeded.canary, sampleRate: 0.25 }, stickiness: { cookie: 'session' } } });
    const stopped = await sut.http().delete(`${policyPath()}/mirror`).expect(200);
    expect(stopped.body).toMatchObject({ version: 3, reason: 'mirroring stopped', config: { stickiness: { cookie: 'session' } } });
    expect(stopped.body.config).not.toHaveProperty('mirror');
    const again = await sut.http().delete(`${policyPath()}/mirror`).expect(200);
    expect(again.body.version).toBe(3);
    await eventually(() => {
      const versions = sut.routingEvents.filter((event) => event.type === 'io.strata.routing.config.published.v1' && (event.data as { stack: string }).stack === seeded.stack).map((event) => (event.data as { version: number }).version);
      expect(versions).toEqual([1, 2, 3]);
    });
  });

  it('removes a mirror past its until on the next resync, as the next version, and keeps one not yet due', async () => {
    await sut.http().put(policyPath()).send(aPolicy(seeded)).expect(200);
    const until = new Date(sut.clock.now + 60_000).toISOString();
    await sut.http().put(`${policyPath()}/mirror`).send({ stackConfig: seeded.canary, sampleRate: 0.1, until }).expect(200);
    await sut.app.get(PolicyResync).resync();
    expect(((await sut.http().get(policyPath()).expect(200)).body as { config: { mirror?: { until: string } } }).config.mirror?.until).toBe(until);

    sut.clock.now += 60_000;
    await sut.app.get(PolicyResync).resync();
    const current = (await sut.http().get(policyPath()).expect(200)).body as { version: number; reason: string; createdBy: string; config: Record<string, unknown> };
    expect(current).toMatchObject({ version: 3, reason: `mirroring expired at ${until}`, createdBy: 'routing-control' });
    expect(current.config).not.toHaveProperty('mirror');
    const bad = await sut.http().put(`${policyPath()}/mirror`).send({ stackConfig: seeded.canary, sampleRate: 0.1, until: 'tomorrow' }).expect(422);
    expect((bad.body as { errors: { field: string }[] }).errors.map((error) => error.field)).toEqual(['mirror.until']);
  });

  it('refuses a mirror to the stable config or to no stack config of the policy, naming the field', async () => {
    await sut.http().put(policyPath()).send(aPolicy(seeded)).expect(200);
    const stable = await sut.http().put(`${policyPath()}/mirror`).send({ stackConfig: seeded.stable, sampleRate: 0.5 }).expect(422);
    expect((stable.body as { errors: { field: string }[] }).errors.map((error) => error.field)).toEqual(['mirror.stackConfig']);
    const ghost = await sut.http().put(`${policyPath()}/mirror`).send({ stackConfig: 'ghost', sampleRate: 0.5 }).expect(422);
    expect((ghost.body as { errors: { field: string; message: string }[] }).errors).toEqual([{ field: 'mirror.stackConfig', message: "'ghost' is not one of the stack configs" }]);
    const rate = await sut.http().put(`${policyPath()}/mirror`).send({ stackConfig: seeded.canary, sampleRate: 2 }).expect(422);
    expect((rate.body as { errors: { field: string }[] }).errors.map((error) => error.field)).toEqual(['sampleRate']);
    await sut.http().put(`/v1/stacks/${seeded.stack}/environments/staging/routing-policy/mirror`).send({ stackConfig: seeded.canary, sampleRate: 0.5 }).expect(404);
  });

  it("mirrors to the stable config only with node weights of the mirror's own (proposed weights tried on copies), naming a bad weight", async () => {
    await sut.http().put(policyPath()).send(aPolicy(seeded)).expect(200);
    const weighted = await sut.http().put(`${policyPath()}/mirror`).send({ stackConfig: seeded.stable, sampleRate: 0.2, nodeWeights: { 'stable-1': 80, 'stable-2': 20 } }).expect(200);
    expect(weighted.body).toMatchObject({ config: { mirror: { stackConfig: seeded.stable, sampleRate: 0.2, nodeWeights: { 'stable-1': 80, 'stable-2': 20 } } } });
    expect(weighted.body.config).not.toHaveProperty('nodeWeights');
    const bad = await sut.http().put(`${policyPath()}/mirror`).send({ stackConfig: seeded.stable, sampleRate: 0.2, nodeWeights: { 'stable-1': -1 } }).expect(422);
    expect((bad.body as { errors: { field: string }[] }).errors.map((error) => error.field)).toEqual(['mirror.nodeWeights["stable-1"]']);
    await sut.http().delete(`${policyPath()}/mirror`).expect(200);
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

  describe('nodes discovered from the registry', () => {
    let observedAt = Date.now();
    type Health = 'healthy' | 'unhealthy' | 'unknown';
    /** The registry's announcement of one node of the stack's api, as a heartbeat or a health check makes it. */
    const announce = (address: string, discoveredVersion: string, health: Health = 'healthy') =>
      sut.publish('io.strata.registry.node.changed.v1', 'registry', {
        stack: seeded.stack,
        environment: 'production',
        location: 'production',
        component: `${seeded.stack}-api`,
        address,
        url: `http://${address}`,
        discoveredVersion,
        health,
        reason: 'test',
        observedAt: ++observedAt,
      });
    const projected = (address: string, check: (row: { discovered_version: string; health: string } | undefined) => void) =>
      eventually(async () => {
        const { rows } = await sut.sql.query('SELECT discovered_version, health FROM routing.nodes WHERE stack = $1 AND address = $2', [seeded.stack, address]);
        check(rows[0] as { discovered_version: string; health: string } | undefined);
      });
    /** Stable (1.0.0 of the api) at 90 and canary (1.1.0) at 10, neither listing nodes. */
    const discoveredPolicy = (changes: Record<string, unknown> = {}) => ({
      component: `${seeded.stack}-api`,
      stableConfig: seeded.stable,
      stackConfigs: [
        { name: seeded.stable, weight: 90 },
        { name: seeded.canary, weight: 10, nodes: [] },
      ],
      ...changes,
    });
    const nodesOf = (config: { stackConfigs: { name: string; nodes: { id: string }[] }[] }) =>
      Object.fromEntries(config.stackConfigs.map((stackConfig) => [stackConfig.name, stackConfig.nodes.map((node) => node.id)]));
    const published = () =>
      sut.routingEvents
        .filter((event) => event.type === 'io.strata.routing.config.published.v1' && event.subject === seeded.stack)
        .map((event) => event.data as { version: number; config: Record<string, unknown> })
        .map((data) => ({ version: data.version, config: data.config as unknown as { stackConfigs: { name: string; nodes: { id: string }[] }[] } }));
    const healthyNodeCount = (stackConfig: string) =>
      sut.app.get(RoutingTransactions).run((manager) => sut.app.get(RoutingPoliciesService).healthyNodeCount(manager, seeded.stack, 'production', stackConfig));

    async function announceStableAndCanary(): Promise<void> {
      await announce('10.0.0.1:8080', '1.0.0');
      await announce('10.0.0.2:8080', '1.1.0');
      await announce('10.0.0.3:8080', '9.9.9');
      await projected('10.0.0.3:8080', (row) => expect(row).toBeDefined());
    }

    it('routes each stack config without nodes to the nodes running its version group', async () => {
      await announceStableAndCanary();

      const response = await sut.http().put(policyPath()).send(discoveredPolicy()).expect(200);

      expect(response.body.discoveredStackConfigs).toEqual([seeded.stable, seeded.canary]);
      expect(response.body.config.stackConfigs).toEqual([
        { name: seeded.stable, weight: 90, nodes: [{ id: '10.0.0.1:8080', url: 'http://10.0.0.1:8080', version: '1.0.0' }] },
        { name: seeded.canary, weight: 10, nodes: [{ id: '10.0.0.2:8080', url: 'http://10.0.0.2:8080', version: '1.1.0' }] },
      ]);
      await eventually(() => expect(published().map((data) => [data.version, nodesOf(data.config)])).toEqual([[1, { [seeded.stable]: ['10.0.0.1:8080'], [seeded.canary]: ['10.0.0.2:8080'] }]]));
      await expect(healthyNodeCount(seeded.canary)).resolves.toBe(1);
    });

    it('publishes the next version when a node joins, and when the registry reports one unhealthy', async () => {
      await announceStableAndCanary();
      await sut.http().put(policyPath()).send(discoveredPolicy()).expect(200);

      await announce('10.0.0.4:8080', '1.0.0');

      const joined = await eventually(async () => {
        const current = await sut.http().get(policyPath()).expect(200);
        expect(current.body).toMatchObject({ version: 2, reason: `nodes discovered: +10.0.0.4:8080 (${seeded.stable})`, createdBy: 'routing-control' });
        return current.body as { config: { stackConfigs: { name: string; nodes: { id: string }[] }[] }; discoveredStackConfigs: string[] };
      });
      expect(nodesOf(joined.config)).toEqual({ [seeded.stable]: ['10.0.0.1:8080', '10.0.0.4:8080'], [seeded.canary]: ['10.0.0.2:8080'] });
      expect(joined.discoveredStackConfigs).toEqual([seeded.stable, seeded.canary]);
      await eventually(() => expect(published().map((data) => data.version)).toEqual([1, 2]));
      expect(nodesOf(published()[1].config)[seeded.stable]).toEqual(['10.0.0.1:8080', '10.0.0.4:8080']);

      await announce('10.0.0.1:8080', '1.0.0', 'unhealthy');

      await eventually(async () => {
        const current = await sut.http().get(policyPath()).expect(200);
        expect(current.body).toMatchObject({ version: 3, reason: `nodes discovered: -10.0.0.1:8080 (${seeded.stable})` });
        expect(nodesOf(current.body.config)[seeded.stable]).toEqual(['10.0.0.4:8080']);
      });
      await expect(healthyNodeCount(seeded.stable)).resolves.toBe(1);
    });

    it('publishes nothing when what a node announces changes no stack config', async () => {
      await announceStableAndCanary();
      await sut.http().put(policyPath()).send(discoveredPolicy()).expect(200);

      await announce('10.0.0.3:8080', '9.9.10');
      await announce('10.0.0.2:8080', '1.1.0', 'unknown');
      await projected('10.0.0.2:8080', (row) => expect(row?.health).toBe('unknown'));

      const current = await sut.http().get(policyPath()).expect(200);
      expect(current.body.version).toBe(1);
    });

    it('keeps discovering the nodes of a policy derived by a rollout step', async () => {
      await announceStableAndCanary();
      await sut.http().put(policyPath()).send(discoveredPolicy()).expect(200);

      const derived = await sut.app
        .get(RoutingTransactions)
        .run((manager) => sut.app.get(RoutingPoliciesService).derive(manager, seeded.stack, 'production', (config) => withCanaryWeight(config, seeded.canary, 50), 'rollout step', 'test'));
      await announce('10.0.0.5:8080', '1.1.0');

      expect(derived.discoveredStackConfigs).toEqual([seeded.stable, seeded.canary]);
      await eventually(async () => {
        const current = await sut.http().get(policyPath()).expect(200);
        expect(current.body).toMatchObject({ version: 3, reason: `nodes discovered: +10.0.0.5:8080 (${seeded.canary})` });
        expect(current.body.config.stackConfigs.map((stackConfig: { weight: number }) => stackConfig.weight)).toEqual([50, 50]);
      });
    });

    it('lists a canary before its nodes start, and refuses a stack config that takes traffic with no node', async () => {
      await announce('10.0.0.1:8080', '1.0.0');
      await projected('10.0.0.1:8080', (row) => expect(row).toBeDefined());

      const refused = await sut.http().put(policyPath()).send(discoveredPolicy()).expect(422);
      expect(refused.body.errors).toEqual([{ field: 'stackConfigs[1].nodes', message: expect.stringContaining(`no node of ${seeded.stack}-api 1.1.0`) }]);

      const waiting = discoveredPolicy({ stackConfigs: [{ name: seeded.stable, weight: 100 }, { name: seeded.canary, weight: 0 }] });
      const accepted = await sut.http().put(policyPath()).send(waiting).expect(200);
      expect(nodesOf(accepted.body.config)).toEqual({ [seeded.stable]: ['10.0.0.1:8080'], [seeded.canary]: [] });
      await expect(healthyNodeCount(seeded.canary)).resolves.toBe(0);

      await announce('10.0.0.2:8080', '1.1.0');

      await eventually(async () => {
        const current = await sut.http().get(policyPath()).expect(200);
        expect(nodesOf(current.body.config)).toEqual({ [seeded.stable]: ['10.0.0.1:8080'], [seeded.canary]: ['10.0.0.2:8080'] });
      });
    });

    it('uses pinned nodes as given and republishes nothing for them; counts pinned nodes the registry reports unhealthy', async () => {
      const pinned = await sut.http().put(policyPath()).send(aPolicy(seeded, { component: `${seeded.stack}-api` })).expect(200);
      expect(pinned.body.discoveredStackConfigs).toEqual([]);

      await announce('127.0.0.1:9002', '1.1.0', 'unhealthy');
      await announce('10.0.0.7:8080', '1.0.0');
      await projected('10.0.0.7:8080', (row) => expect(row).toBeDefined());

      const current = await sut.http().get(policyPath()).expect(200);
      expect(current.body.version).toBe(1);
      expect(current.body.config.stackConfigs).toEqual(aPolicy(seeded)['stackConfigs']);
      await expect(healthyNodeCount(seeded.stable)).resolves.toBe(1);
      await expect(healthyNodeCount(seeded.canary)).resolves.toBe(0);
      await expect(healthyNodeCount('not-in-the-policy')).resolves.toBe(0);
    });
  });
});
