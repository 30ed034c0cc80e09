import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { aStackName, testServerUrl } from '@strata/testing';
import { HealthChecksService } from './services/health-checks.service';
import { RegistryTestApp, startRegistryTestApp } from './test-support/registry-test-app';

interface FakeNode {
  address: string;
  status: number;
  version: string;
  server: Server;
}

async function fakeNode(status: number, version: string): Promise<FakeNode> {
  const node = { status, version } as FakeNode;
  node.server = createServer((_request, response) => {
    response.writeHead(node.status, { 'content-type': 'application/json', 'x-strata-version': node.version });
    response.end(JSON.stringify({ status: node.status === 200 ? 'ok' : 'bad' }));
  });
  await new Promise<void>((resolve) => node.server.listen(0, '127.0.0.1', resolve));
  node.address = `127.0.0.1:${(node.server.address() as AddressInfo).port}`;
  return node;
}

describe('registry scheduled health checks', () => {
  let sut: RegistryTestApp;
  let stack: string;
  let nodes: FakeNode[];

  const post = (path: string, body: object) => sut.http().post(path).send(body);
  const slot = async (component: string) =>
    (await sut.http().get(`/v1/stacks/${stack}/environments/production/version-map`).expect(200)).body.slots.find((candidate: { component: string }) => candidate.component === component);
  const runChecks = () => sut.app.get(HealthChecksService).runDueChecks(true);

  beforeAll(async () => {
    sut = await startRegistryTestApp('registry-health-checks');
    stack = aStackName('shop');
    nodes = [await fakeNode(200, '2.4.0'), await fakeNode(500, '2.4.0')];
    process.env['STRATA_TEST_HEALTH_DB'] = testServerUrl();
    await post('/v1/stacks', { name: stack, environments: [{ name: 'production' }] }).expect(201);
    await post('/v1/components', { name: `${stack}-api`, stack, type: 'app' }).expect(201);
    await post('/v1/components', { name: `${stack}-db`, stack, type: 'db-schema', target: { databaseUrlFrom: 'STRATA_TEST_HEALTH_DB' } }).expect(201);
    await post(`/v1/components/${stack}-api/versions`, {
      version: '2.4.0',
      spec: { artifact: 'a', port: 8080 },
      healthCheck: { url: 'http://{node}/healthz', expectStatus: 200, timeout: '1s', interval: '5s' },
    }).expect(201);
    await post(`/v1/components/${stack}-db/versions`, {
      version: '1.0.0',
      spec: { up: 'SELECT 1;' },
      healthCheck: { sql: 'SELECT 1', expect: 1, timeout: '2s', interval: '10s' },
    }).expect(201);
    await post(`/v1/stacks/${stack}/version-groups`, { name: 'g', environment: 'production', members: [{ component: `${stack}-api`, version: '2.4.0' }, { component: `${stack}-db`, version: '1.0.0' }] }).expect(201);
    await post('/v1/environments/production/deployments', { stack, versionGroup: 'g', location: 'production' }).expect(201);
    for (const node of nodes) {
      await post('/v1/nodes/heartbeat', { stack, environment: 'production', location: 'production', component: `${stack}-api`, address: node.address, version: '2.4.0' }).expect(200);
    }
  });

  afterAll(async () => {
    delete process.env['STRATA_TEST_HEALTH_DB'];
    await Promise.all(nodes.map((node) => new Promise((resolve) => node.server.close(resolve))));
    await sut?.close();
  });

  it('marks an app degraded when some nodes fail, healthy when all pass', async () => {
    await runChecks();
    const degraded = await slot(`${stack}-api`);
    expect(degraded.status).toBe('degraded');
    expect(degraded.healthSeenAt).not.toBeNull();
    expect(degraded.nodes.map((node: { health: string }) => node.health)).toEqual(expect.arrayContaining(['healthy', 'unhealthy']));

    nodes[1]!.status = 200;
    await runChecks();
    expect((await slot(`${stack}-api`)).status).toBe('healthy');
  });

  it('publishes the latency and result of each probe as KPI series of the component, per target', async () => {
    await sut.sql.query(`DELETE FROM registry.outbox WHERE event_type = 'io.strata.kpi.samples.v1'`);
    nodes[1]!.status = 500;
    await runChecks();
    nodes[1]!.status = 200;
    const { rows } = await sut.sql.query<{ data: { series: Record<string, string>; samples: { value: number }[] } }>(
      `SELECT event->'data' AS data FROM registry.outbox WHERE event_type = 'io.strata.kpi.samples.v1' AND message_key = $1 ORDER BY seq`,
      [stack],
    );
    const valueOf = (component: string, node: string, metric: string) =>
      rows.filter((row) => row.data.series['component'] === component && row.data.series['node'] === node && row.data.series['metric'] === metric).map((row) => row.data.samples[0]!.value);

    expect(valueOf(`${stack}-api`, nodes[0]!.address, 'health_check_up')).toEqual([1]);
    expect(valueOf(`${stack}-api`, nodes[1]!.address, 'health_check_up')).toEqual([0]);
    for (const node of nodes) {
      const [latency] = valueOf(`${stack}-api`, node.address, 'health_check_latency_ms');
      expect(latency).toBeGreaterThan(0);
      expect(latency).toBeLessThan(1_000);
    }
    expect(valueOf(`${stack}-db`, '$STRATA_TEST_HEALTH_DB', 'health_check_up')).toEqual([1]);
    expect(valueOf(`${stack}-db`, '$STRATA_TEST_HEALTH_DB', 'health_check_latency_ms')).toHaveLength(1);
    expect(rows.every((row) => row.data.series['stack'] === stack && row.data.series['environment'] === 'production')).toBe(true);
  });

  it('discovers the version a node reports and flags a mismatch', async () => {
    nodes[0]!.version = '2.3.9';
    await runChecks();
    const api = await slot(`${stack}-api`);
    expect(api.nodes.find((node: { address: string }) => node.address === nodes[0]!.address)).toMatchObject({ discoveredVersion: '2.3.9', versionMismatch: true });
    const { rows } = await sut.sql.query(`SELECT event->'data' AS data FROM registry.outbox WHERE event_type = 'io.strata.registry.version-mismatch.detected.v1' AND message_key = $1`, [stack]);
    expect(rows.map((row) => row.data)).toEqual([expect.objectContaining({ address: nodes[0]!.address, discoveredVersion: '2.3.9', source: 'health-check' })]);
  });

  it('runs SQL checks against the database the component names', async () => {
    expect((await slot(`${stack}-db`)).status).toBe('healthy');
    process.env['STRATA_TEST_HEALTH_DB'] = 'postgres://nobody@127.0.0.1:1/none';
    await runChecks();
    expect((await slot(`${stack}-db`)).status).toBe('failed');
    const history = await sut.http().get(`/v1/stacks/${stack}/environments/production/version-map/history`).expect(200);
    expect(history.body[0]).toMatchObject({ component: `${stack}-db`, toStatus: 'failed', actor: 'health-check', reason: expect.stringContaining('$STRATA_TEST_HEALTH_DB') });
  });

  it("never hands the driver a variable that holds no PostgreSQL URL: its error, in the version map, would show the value", async () => {
    process.env['STRATA_TEST_HEALTH_DB'] = testServerUrl();
    await runChecks();
    expect((await slot(`${stack}-db`)).status).toBe('healthy');
    process.env['STRATA_TEST_HEALTH_DB'] = '/usr/local/bin:/usr/bin';
    await runChecks();
    expect((await slot(`${stack}-db`)).status).toBe('failed');
    const history = await sut.http().get(`/v1/stacks/${stack}/environments/production/version-map/history`).expect(200);
    const reasons = JSON.stringify(history.body);
    expect(reasons).toContain('environment variable STRATA_TEST_HEALTH_DB does not hold a postgres:// or postgresql:// URL');
    expect(reasons).not.toContain('/usr/local/bin');
  });
});
