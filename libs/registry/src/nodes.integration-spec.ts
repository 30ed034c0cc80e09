import { aStackName, eventually } from '@strata/testing';
import { NodesService } from './services/nodes.service';
import { RegistryTestApp, startRegistryTestApp } from './test-support/registry-test-app';

describe('registry nodes: heartbeats, discovery and silence', () => {
  let sut: RegistryTestApp;
  let stack: string;
  let api: string;

  const post = (path: string, body: object) => sut.http().post(path).send(body);
  const beat = (address: string, version: string) =>
    post('/v1/nodes/heartbeat', { stack, environment: 'production', location: 'production', component: api, address, version, resources: { cpu: 0.5 } });
  const events = async (type: string) =>
    (await sut.sql.query(`SELECT event->'data' AS data FROM registry.outbox WHERE event_type = $1 AND message_key = $2 ORDER BY seq`, [type, stack])).rows.map((row) => row.data);

  beforeAll(async () => {
    sut = await startRegistryTestApp('registry-nodes');
    stack = aStackName('shop');
    api = `${stack}-api`;
    await post('/v1/stacks', { name: stack, environments: [{ name: 'production' }] }).expect(201);
    await post('/v1/components', { name: api, stack, type: 'app' }).expect(201);
    await post(`/v1/components/${api}/versions`, { version: '2.4.0', spec: { artifact: 'a', port: 8080 } }).expect(201);
    await post(`/v1/stacks/${stack}/version-groups`, { name: 'g1', environment: 'production', members: [{ component: api, version: '2.4.0' }] }).expect(201);
    await post('/v1/environments/production/deployments', { stack, versionGroup: 'g1', location: 'production' }).expect(201);
  });

  afterAll(async () => {
    await sut?.close();
  });

  it('registers a node from its heartbeat and shows it in the version map', async () => {
    const node = await beat('10.0.0.1:8080', '2.4.0').expect(200);
    expect(node.body).toMatchObject({ address: '10.0.0.1:8080', declaredVersion: '2.4.0', discoveredVersion: '2.4.0', versionMismatch: false, health: 'healthy', resources: { cpu: 0.5 } });
    const map = await sut.http().get(`/v1/stacks/${stack}/environments/production/version-map`).expect(200);
    expect(map.body.slots[0].nodes).toEqual([expect.objectContaining({ address: '10.0.0.1:8080', health: 'healthy' })]);
    expect(await events('io.strata.registry.node-health.changed.v1')).toEqual([expect.objectContaining({ address: '10.0.0.1:8080', from: null, to: 'healthy' })]);
  });

  it('publishes the resource figures of a heartbeat as KPI series of the node', async () => {
    await post('/v1/nodes/heartbeat', { stack, environment: 'production', location: 'production', component: api, address: '10.0.0.9:8080', version: '2.4.0', resources: { cpu: 0.75, memoryBytes: 1024 } }).expect(200);

    const samples = (await events('io.strata.kpi.samples.v1')).filter((data) => data.series.node === '10.0.0.9:8080');
    expect(samples).toEqual([
      { series: { stack, environment: 'production', component: api, node: '10.0.0.9:8080', metric: 'node_cpu' }, samples: [{ timestamp: expect.any(Number), value: 0.75 }] },
      { series: { stack, environment: 'production', component: api, node: '10.0.0.9:8080', metric: 'node_memory_bytes' }, samples: [{ timestamp: expect.any(Number), value: 1024 }] },
    ]);
  });

  it('flags and emits a discovered version that differs from the version map, once', async () => {
    const node = await beat('10.0.0.2:8080', '2.3.9').expect(200);
    expect(node.body).toMatchObject({ declaredVersion: '2.4.0', discoveredVersion: '2.3.9', versionMismatch: true });
    await beat('10.0.0.2:8080', '2.3.9').expect(200);
    expect(await events('io.strata.registry.version-mismatch.detected.v1')).toEqual([
      expect.objectContaining({ address: '10.0.0.2:8080', declaredVersion: '2.4.0', discoveredVersion: '2.3.9', source: 'heartbeat' }),
    ]);
  });

  it('marks a silent node unhealthy and back to healthy when it reports again', async () => {
    await sut.sql.query(`UPDATE registry.nodes SET last_seen = now() - interval '5 minutes' WHERE address = '10.0.0.1:8080'`);
    // The background sweep (every 5 s) may mark the node first, or hold its row while this sweep
    // skips it: what must hold is the node's health and the single transition below, not which sweep did it.
    await sut.app.get(NodesService).sweep();
    await eventually(async () => {
      const map = await sut.http().get(`/v1/stacks/${stack}/environments/production/version-map`).expect(200);
      expect(map.body.slots[0].nodes.find((node: { address: string }) => node.address === '10.0.0.1:8080').health).toBe('unhealthy');
    });
    await beat('10.0.0.1:8080', '2.4.0').expect(200);
    const transitions = (await events('io.strata.registry.node-health.changed.v1')).filter((data) => data.address === '10.0.0.1:8080').map((data) => `${data.from}->${data.to}`);
    expect(transitions).toEqual(['null->healthy', 'healthy->unhealthy', 'unhealthy->healthy']);
  });

  it('refuses a heartbeat for an unknown component or a malformed address', async () => {
    await post('/v1/nodes/heartbeat', { stack, environment: 'production', location: 'production', component: 'nope', address: '10.0.0.9:1', version: '1.0.0' }).expect(404);
    const refused = await post('/v1/nodes/heartbeat', { stack, environment: 'production', location: 'production', component: api, address: 'no-port', version: '1.0.0' }).expect(400);
    expect(refused.body.errors).toEqual([{ field: 'address', message: 'address must be host:port' }]);
    const badFigures = await post('/v1/nodes/heartbeat', { stack, environment: 'production', location: 'production', component: api, address: '10.0.0.3:1', version: '2.4.0', resources: { cpu: 'high' } }).expect(422);
    expect(badFigures.body.errors).toEqual([{ field: 'resources.cpu', message: 'must be a finite number' }]);
    const tooMany = Object.fromEntries(Array.from({ length: 101 }, (_, index) => [`gauge${index}`, index]));
    const flooding = await post('/v1/nodes/heartbeat', { stack, environment: 'production', location: 'production', component: api, address: '10.0.0.3:1', version: '2.4.0', resources: tooMany }).expect(422);
    expect(flooding.body.errors).toEqual([{ field: 'resources', message: 'must hold at most 100 figures, got 101' }]);
  });
});
