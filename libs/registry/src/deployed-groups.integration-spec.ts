import { EventData, topicOfEvent } from '@strata/contracts';
import { InMemoryEventBus, newEvent } from '@strata/messaging';
import { aStackName, eventually } from '@strata/testing';
import { NodesService } from './services/nodes.service';
import { RegistryTestApp, startRegistryTestApp } from './test-support/registry-test-app';

interface MapNode {
  location: string;
  component: string;
  address: string;
  url: string;
  discoveredVersion: string | null;
  declaredVersion: string | null;
  versionGroups: string[];
  expectedVersions: string[];
  versionMismatch: boolean;
  health: string;
}

interface VersionMap {
  slots: { component: string; version: string; nodes: { address: string; versionMismatch: boolean }[] }[];
  deployedGroups: { location: string; versionGroup: string; members: { component: string; version: string }[] }[];
  nodes: MapNode[];
}

describe('registry version map: every deployed group, nodes discovered and announced', () => {
  let sut: RegistryTestApp;
  /** Operator tokens of the people whose names the audit trail must show. */
  const tokens: Record<string, string> = {};
  let bus: InMemoryEventBus;
  let stack: string;
  let api: string;

  const post = (path: string, body: object) => sut.http().post(path).set('authorization', `Bearer ${tokens.dana}`).send(body);
  const beat = (address: string, version: string, extra: object = {}) => post('/v1/nodes/heartbeat', { stack, environment: 'production', location: 'production', component: api, address, version, ...extra });
  const versionMap = async (): Promise<VersionMap> => (await sut.http().get(`/v1/stacks/${stack}/environments/production/version-map`).expect(200)).body as VersionMap;
  const node = async (address: string): Promise<MapNode | undefined> => (await versionMap()).nodes.find((candidate) => candidate.address === address);
  const events = async (type: string) =>
    (await sut.sql.query(`SELECT event->'data' AS data FROM registry.outbox WHERE event_type = $1 AND message_key = $2 ORDER BY seq`, [type, stack])).rows.map((row) => row.data);
  const rolloutEnded = async (rollout: string, versionGroup: string, to: 'promoted' | 'rolled-back') => {
    const data: EventData<'io.strata.routing.rollout.transitioned.v1'> = {
      stack,
      environment: 'production',
      rollout,
      versionGroup,
      from: to === 'promoted' ? 'progressing' : 'aborted',
      to,
      stepIndex: 2,
      canaryWeight: to === 'promoted' ? 100 : 0,
      reason: 'test',
      policyVersion: null,
      actor: 'routing-control',
    };
    const event = newEvent({ type: 'io.strata.routing.rollout.transitioned.v1', service: 'routing-control', subject: stack, data });
    await bus.publish([{ topic: topicOfEvent(event.type), key: stack, value: JSON.stringify(event) }]);
  };

  beforeAll(async () => {
    bus = new InMemoryEventBus(1);
    sut = await startRegistryTestApp('registry-deployed-groups', bus);
    tokens.dana = await sut.tokenFor('dana');
    stack = aStackName('shop');
    api = `${stack}-api`;
    await post('/v1/stacks', { name: stack, environments: [{ name: 'production' }] }).expect(201);
    await post('/v1/components', { name: api, stack, type: 'app' }).expect(201);
    for (const version of ['2.3.0', '2.4.0', '2.5.0']) {
      await post(`/v1/components/${api}/versions`, { version, spec: { artifact: `api:${version}`, port: 8080 } }).expect(201);
    }
    for (const [group, version] of [
      ['A', '2.3.0'],
      ['B', '2.4.0'],
      ['C', '2.5.0'],
    ]) {
      await post(`/v1/stacks/${stack}/version-groups`, { name: group, environment: 'production', members: [{ component: api, version }] }).expect(201);
    }
    // The stable group, then the canary of a rollout: the canary's deployment takes the slot.
    await post('/v1/environments/production/deployments', { stack, versionGroup: 'A', location: 'production' }).expect(201);
    await post('/v1/environments/production/deployments', { stack, versionGroup: 'B', location: 'production' }).expect(201);
  });

  afterAll(async () => {
    await sut?.close();
  });

  it('flags neither the stable nor the canary node of a rollout, and flags a third version', async () => {
    const stableNode = await beat('10.0.0.1:8080', '2.3.0').expect(200);
    const canaryNode = await beat('10.0.0.2:8080', '2.4.0').expect(200);
    const stray = await beat('10.0.0.3:8080', '9.9.9').expect(200);

    expect(stableNode.body).toMatchObject({ versionMismatch: false, declaredVersion: '2.3.0', versionGroups: ['A'] });
    expect(canaryNode.body).toMatchObject({ versionMismatch: false, declaredVersion: '2.4.0', versionGroups: ['B'] });
    expect(stray.body).toMatchObject({ versionMismatch: true, declaredVersion: '2.4.0', versionGroups: [], expectedVersions: ['2.4.0', '2.3.0'] });
    const map = await versionMap();
    expect(map.deployedGroups.map((deployed) => [deployed.location, deployed.versionGroup])).toEqual([
      ['production', 'B'],
      ['production', 'A'],
    ]);
    expect(map.nodes.map((candidate) => [candidate.address, candidate.component, candidate.discoveredVersion, candidate.versionGroups, candidate.versionMismatch, candidate.health])).toEqual([
      ['10.0.0.1:8080', api, '2.3.0', ['A'], false, 'healthy'],
      ['10.0.0.2:8080', api, '2.4.0', ['B'], false, 'healthy'],
      ['10.0.0.3:8080', api, '9.9.9', [], true, 'healthy'],
    ]);
    // The slot keeps working as before: one version per component, its nodes with the same flags.
    expect(map.slots.map((slot) => [slot.component, slot.version, slot.nodes.map((slotNode) => [slotNode.address, slotNode.versionMismatch])])).toEqual([
      [api, '2.4.0', [
        ['10.0.0.1:8080', false],
        ['10.0.0.2:8080', false],
        ['10.0.0.3:8080', true],
      ]],
    ]);
    expect(await events('io.strata.registry.version-mismatch.detected.v1')).toEqual([
      expect.objectContaining({ address: '10.0.0.3:8080', declaredVersion: '2.4.0', discoveredVersion: '9.9.9', expectedVersions: ['2.4.0', '2.3.0'] }),
    ]);
  });

  it('announces a node when it registers and when its url, version or health changes, not on every heartbeat', async () => {
    await beat('10.0.0.4:8080', '2.3.0').expect(200);
    await beat('10.0.0.4:8080', '2.3.0').expect(200);
    await beat('10.0.0.4:8080', '2.3.0', { url: 'https://api-4.internal:8443' }).expect(200);
    await beat('10.0.0.4:8080', '2.4.0', { url: 'https://api-4.internal:8443' }).expect(200);

    const announced = (await events('io.strata.registry.node.changed.v1')).filter((data) => data.address === '10.0.0.4:8080');
    expect(announced.map((data) => [data.url, data.discoveredVersion, data.health, data.reason])).toEqual([
      ['http://10.0.0.4:8080', '2.3.0', 'healthy', 'registered'],
      ['https://api-4.internal:8443', '2.3.0', 'healthy', 'url http://10.0.0.4:8080 → https://api-4.internal:8443'],
      ['https://api-4.internal:8443', '2.4.0', 'healthy', 'version 2.3.0 → 2.4.0'],
    ]);
    expect(announced[0]).toMatchObject({ stack, environment: 'production', location: 'production', component: api, observedAt: expect.any(Number) });
    expect((await node('10.0.0.4:8080'))?.url).toBe('https://api-4.internal:8443');
  });

  it('announces a node that falls silent as unhealthy', async () => {
    await beat('10.0.0.8:8080', '2.4.0').expect(200);
    await sut.sql.query(`UPDATE registry.nodes SET last_seen = now() - interval '5 minutes' WHERE address = '10.0.0.8:8080'`);

    await sut.app.get(NodesService).sweep();

    await eventually(async () => {
      const announced = (await events('io.strata.registry.node.changed.v1')).filter((data) => data.address === '10.0.0.8:8080');
      expect(announced.map((data) => [data.health, data.reason])).toEqual([
        ['healthy', 'registered'],
        ['unhealthy', 'health healthy → unhealthy (no heartbeat for 30 s)'],
      ]);
    });
  });

  it('refuses a url no gateway could reach', async () => {
    const refused = await beat('10.0.0.5:8080', '2.3.0', { url: 'http://10.0.0.5:8080/health' }).expect(422);
    expect(refused.body.errors).toEqual([{ field: 'url', message: expect.stringContaining('is not an http(s) origin') }]);
    const badPort = await beat('10.0.0.5:99999', '2.3.0').expect(422);
    expect(badPort.body.errors).toEqual([{ field: 'address', message: expect.stringContaining('port') }]);
  });

  it('retires the old stable group when the canary is promoted, and a rolled-back canary', async () => {
    await rolloutEnded('canary-b', 'B', 'promoted');

    await eventually(async () => expect((await node('10.0.0.1:8080'))?.versionMismatch).toBe(true));
    expect((await versionMap()).deployedGroups.map((deployed) => deployed.versionGroup)).toEqual(['B']);
    expect(await node('10.0.0.2:8080')).toMatchObject({ versionMismatch: false, versionGroups: ['B'] });

    await post('/v1/environments/production/deployments', { stack, versionGroup: 'C', location: 'production' }).expect(201);
    await beat('10.0.0.6:8080', '2.5.0').expect(200);
    expect(await node('10.0.0.6:8080')).toMatchObject({ versionMismatch: false, versionGroups: ['C'] });

    await rolloutEnded('canary-c', 'C', 'rolled-back');

    await eventually(async () => expect((await node('10.0.0.6:8080'))?.versionMismatch).toBe(true));
    expect(await node('10.0.0.6:8080')).toMatchObject({ declaredVersion: '2.4.0', expectedVersions: ['2.4.0'] });
    expect(await node('10.0.0.2:8080')).toMatchObject({ versionMismatch: false });
  });

  it('lets an operator retire a group (a cutover without a rollout), and brings it back when deployed again', async () => {
    await post('/v1/environments/production/deployments', { stack, versionGroup: 'A', location: 'production' }).expect(201);
    expect((await node('10.0.0.1:8080'))?.versionMismatch).toBe(false);

    const retired = await sut.http().delete(`/v1/stacks/${stack}/environments/production/version-map/production/groups/A`).set('authorization', `Bearer ${tokens.dana}`).expect(200);

    expect((retired.body as VersionMap).deployedGroups.map((deployed) => deployed.versionGroup)).toEqual(['B']);
    expect((retired.body as VersionMap).nodes.find((candidate) => candidate.address === '10.0.0.1:8080')?.versionMismatch).toBe(true);
    const { rows } = await sut.sql.query(
      `SELECT retired_by, retired_reason FROM registry.deployed_groups d JOIN registry.version_groups g ON g.id = d.version_group_id WHERE g.name = 'A' AND g.stack_id = (SELECT id FROM registry.stacks WHERE name = $1)`,
      [stack],
    );
    expect(rows).toEqual([{ retired_by: 'dana', retired_reason: 'retired by an operator' }]);
    await sut.http().delete(`/v1/stacks/${stack}/environments/production/version-map/production/groups/A`).expect(404);
  });
});
