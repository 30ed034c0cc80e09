import { TestDatabase, createTestDatabase, eventually, requireKafkaBrokers, uniqueTopicPrefix } from '@strata/testing';
import { portOrFree } from '@strata/runtime';
import { Kafka, logLevel } from 'kafkajs';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { apiCall } from './support/api';
import { E2E_ADMIN_TOKEN, E2E_BEARER, ServiceProcess, distributedModeEnv, waitForHealthy } from './support/service-process';

const PROBLEM = 'application/problem+json';

/**
 * Issue [U]: in the distributed mode, `strata console` is the one origin of the CLI and the
 * dashboard. Registry and routing-control run as their own processes on Kafka and PostgreSQL; the
 * rollback service is configured but not running; the console sits in front of them.
 */
describe('strata console (distributed mode)', () => {
  const brokers = requireKafkaBrokers();
  const topicPrefix = uniqueTopicPrefix('e2e-console');
  let database: TestDatabase;
  let registryUrl: string;
  let consoleUrl: string;
  let routing: ServiceProcess;
  let front: ServiceProcess;
  const processes: ServiceProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('e2e-console');
    const common = distributedModeEnv(database.url, brokers, topicPrefix);
    const [registryPort, routingPort, consolePort, ...unused] = await Promise.all([0, 0, 0, 0, 0, 0].map(() => portOrFree(0, '127.0.0.1')));
    const [ingestPort, stagingPort, rollbackPort] = unused as [number, number, number];
    registryUrl = `http://127.0.0.1:${registryPort}`;
    consoleUrl = `http://127.0.0.1:${consolePort}`;
    const registry = new ServiceProcess('registry', { ...common, PORT: String(registryPort) });
    routing = new ServiceProcess('routing-control', { ...common, PORT: String(routingPort) });
    front = new ServiceProcess(
      'strata',
      {
        ...common,
        PORT: String(consolePort),
        STRATA_REGISTRY_URL: registryUrl,
        STRATA_ROUTING_CONTROL_URL: `http://127.0.0.1:${routingPort}`,
        // Nothing listens on these: services that are down.
        STRATA_METRICS_INGEST_URL: `http://127.0.0.1:${ingestPort}`,
        STRATA_PREDICTIVE_STAGING_URL: `http://127.0.0.1:${stagingPort}`,
        STRATA_ROLLBACK_URL: `http://127.0.0.1:${rollbackPort}`,
      },
      ['console'],
    );
    processes.push(registry, routing, front);
    for (const process of processes) process.start();
    await Promise.all([
      waitForHealthy(registryUrl, registry, 90_000),
      waitForHealthy(`http://127.0.0.1:${routingPort}`, routing, 90_000),
      waitForHealthy(consoleUrl, front, 90_000),
    ]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map((process) => process.stop()));
    await database?.drop();
  }, 60_000);

  it('passes a write with a token to the registry and a read to routing-control, status and body as they answered', async () => {
    const created = await apiCall(consoleUrl, 'POST', '/v1/stacks', { name: 'console-shop', environments: [{ name: 'production' }] });
    expect(created).toMatchObject({ status: 201, body: { name: 'console-shop' } });
    expect(await apiCall(registryUrl, 'GET', '/v1/stacks/console-shop')).toMatchObject({ status: 200, body: { name: 'console-shop' } });
    expect(await apiCall(consoleUrl, 'GET', '/v1/rollouts?stack=console-shop')).toMatchObject({ status: 200, body: [] });
    const refused = await apiCall(consoleUrl, 'POST', '/v1/stacks', { name: 'no-environments', environments: [] });
    expect(refused).toMatchObject({ status: 400, body: { status: 400, errors: [expect.objectContaining({ field: 'environments' })] } });
  });

  it('is the origin the CLI points at', async () => {
    const root = join(__dirname, '..', '..');
    const cli = await promisify(execFile)(process.execPath, ['-r', './deploy/node/register.js', 'apps/strata/src/main.ts', '--api', consoleUrl, '-o', 'json', 'get', 'stacks'], { cwd: root, env: { ...process.env, XDG_CONFIG_HOME: join(root, 'no-such-dir'), STRATA_API: '', STRATA_TOKEN: E2E_ADMIN_TOKEN } });
    expect(JSON.parse(cli.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'console-shop' })]));
  });

  it('answers an unauthenticated write with the service\'s 401 problem', async () => {
    const answer = await fetch(`${consoleUrl}/v1/stacks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'nobody', environments: [] }) });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('content-type')).toContain(PROBLEM);
    expect(await answer.json()).toMatchObject({ status: 401, detail: expect.stringContaining('bearer token') });
  });

  it('answers a call to a service that is down with a 502 problem naming it, and the audit too', async () => {
    const answer = await fetch(`${consoleUrl}/v1/executions`, { headers: E2E_BEARER });
    expect(answer.status).toBe(502);
    expect(answer.headers.get('content-type')).toContain(PROBLEM);
    expect(await answer.json()).toMatchObject({ status: 502, service: 'rollback', detail: expect.stringContaining('the rollback service at http://127.0.0.1:') });
    // The audit merges every service's log: a page missing one service's writes would lie.
    expect(await apiCall(consoleUrl, 'GET', '/v1/audit')).toMatchObject({ status: 502, body: { service: 'metrics-ingest' } });
  });

  it("reports each service's health: ready but degraded while some are down, naming them; alive regardless", async () => {
    const answer = await fetch(`${consoleUrl}/health`);
    expect(answer.status).toBe(200);
    const refused = { status: 'down', checks: { health: expect.objectContaining({ status: 'down', detail: expect.stringContaining('ECONNREFUSED') }) } };
    expect(await answer.json()).toEqual({
      status: 'degraded',
      services: {
        console: { status: 'up', checks: { bus: expect.objectContaining({ status: 'up' }) } },
        registry: { status: 'up', checks: { health: expect.objectContaining({ status: 'up' }) } },
        'routing-control': { status: 'up', checks: { health: expect.objectContaining({ status: 'up' }) } },
        'metrics-ingest': refused,
        'predictive-staging': refused,
        rollback: refused,
      },
    });
    expect(await (await fetch(`${consoleUrl}/health/live`)).json()).toEqual({ status: 'up' });
  });

  it('serves the dashboard at /ui and the API document at /docs-json', async () => {
    const page = await fetch(`${consoleUrl}/ui/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(readFileSync(join(__dirname, '..', '..', 'dist', 'dashboard', 'index.html'), 'utf8'));
    const document = (await (await fetch(`${consoleUrl}/docs-json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/stacks', '/v1/rollouts', '/v1/executions']));
  });

  it('streams a change on /v1/live, for a token the registry issued, after a write to the registry', async () => {
    const unauthenticated = await fetch(`${consoleUrl}/v1/live`);
    expect({ status: unauthenticated.status, type: unauthenticated.headers.get('content-type') }).toMatchObject({ status: 401, type: expect.stringContaining(PROBLEM) });
    const issued = await apiCall<{ token: string }>(consoleUrl, 'POST', '/v1/tokens', { principal: 'dashboard-viewer', role: 'viewer' });
    expect(issued.status).toBe(201);
    const stream = new AbortController();
    const live = await fetch(`${consoleUrl}/v1/live`, { headers: { authorization: `Bearer ${issued.body.token}` }, signal: stream.signal });
    expect({ status: live.status, type: live.headers.get('content-type') }).toMatchObject({ status: 200, type: expect.stringContaining('text/event-stream') });
    const reader = (live.body as ReadableStream<Uint8Array>).getReader();
    let received = '';
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        received += Buffer.from(value).toString('utf8');
      }
    })().catch(() => undefined);
    try {
      // The console's consumer group may still be joining: write until a change names a stack written.
      let written = 0;
      await eventually(
        async () => {
          written += 1;
          await apiCall(consoleUrl, 'POST', '/v1/stacks', { name: `live-${written}`, environments: [{ name: 'production' }] });
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          expect(received).toMatch(/event: change\n(id: \d+\n)?data: \{[^\n]*"stack":"live-\d+"/);
        },
        40_000,
        0,
      );
    } finally {
      stream.abort();
      await reading;
    }
  }, 60_000);

  // Late: it stops routing-control.
  it('answers with a 502 naming a service that was serving and has stopped', async () => {
    expect((await apiCall(consoleUrl, 'GET', '/v1/rollouts')).status).toBe(200);
    await routing.stop();
    expect(await apiCall(consoleUrl, 'GET', '/v1/rollouts')).toMatchObject({ status: 502, body: { status: 502, service: 'routing-control', detail: expect.stringContaining('routing-control') } });
  });

  // Last: it stops the console.
  it('deletes the consumer group of its live stream when stopped, leaving nothing on the broker', async () => {
    const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
    const liveGroups = async () => (await admin.listGroups()).groups.map((group) => group.groupId).filter((group) => group.startsWith(`${topicPrefix}strata-dashboard-`));
    await admin.connect();
    try {
      expect(await liveGroups()).toHaveLength(1);
      expect(await front.interrupt()).toBe(0);
      expect(await liveGroups()).toEqual([]);
      expect(front.log).not.toContain('consumer group may stay on the broker');
    } finally {
      await admin.disconnect();
    }
  }, 30_000);
});
