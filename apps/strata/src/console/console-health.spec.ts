import { HealthRegistry, HealthReport } from '@strata/observability';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { CONSOLE_CHECKS, UPSTREAM_PROBE_MS, consoleHealthOf, registerUpstreamChecks } from './console-health';
import { Upstreams } from './upstreams';
import { ConsoleHealthController } from './console-health.controller';
import type { Response } from 'express';

const DOWN_BODY: HealthReport = { status: 'down', services: { 'metrics-ingest': { status: 'down', checks: { database: { status: 'down', latencyMs: 2000 }, bus: { status: 'up', latencyMs: 1 } } } } };

async function listening(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('the console health of the services behind it', () => {
  const servers: Server[] = [];
  let upstreams: Upstreams;

  beforeAll(async () => {
    const up = createServer((request, response) => response.writeHead(request.url === '/prefix/health' ? 200 : 404).end('{"status":"up","services":{}}'));
    // As a service whose database check ran into its own 2 s bound: it answers after it.
    const unready = createServer((_request, response) => setTimeout(() => response.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify(DOWN_BODY)), 2_200));
    const hung = createServer(() => undefined);
    const gone = createServer();
    servers.push(up, unready, hung);
    const [upUrl, unreadyUrl, hungUrl, goneUrl] = await Promise.all([up, unready, hung, gone].map(listening));
    await new Promise((resolve) => gone.close(resolve));
    upstreams = new Upstreams({ registry: `${upUrl}/prefix`, 'routing-control': `${upUrl}/prefix`, 'metrics-ingest': unreadyUrl!, 'predictive-staging': hungUrl!, rollback: goneUrl! });
  });

  afterAll(async () => {
    upstreams.destroy();
    for (const server of servers) server.closeAllConnections();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it("reports each service's own /health, its 503's failed checks (given after the service's own 2 s bound), a refused connection and a hung service, within the probe bound", async () => {
    const health = new HealthRegistry();
    health.register(CONSOLE_CHECKS, 'bus', async () => undefined);
    registerUpstreamChecks(health, upstreams);

    const started = Date.now();
    const sut = consoleHealthOf(await health.report());

    expect(Date.now() - started).toBeLessThan(UPSTREAM_PROBE_MS + 1_000);
    expect(sut.status).toBe('degraded');
    const checks = Object.fromEntries(Object.entries(sut.services).map(([service, { status, checks: { health: check } }]) => [service, { status, detail: check?.detail }]));
    expect(checks).toEqual({
      console: { status: 'up', detail: undefined },
      registry: { status: 'up', detail: undefined },
      'routing-control': { status: 'up', detail: undefined },
      'metrics-ingest': { status: 'down', detail: expect.stringMatching(/answered 503 \(down: metrics-ingest\.database\)$/) },
      'predictive-staging': { status: 'down', detail: expect.stringContaining(`${UPSTREAM_PROBE_MS} ms`) },
      rollback: { status: 'down', detail: expect.stringContaining('ECONNREFUSED') },
    });
  });
});

describe(consoleHealthOf.name, () => {
  const service = (status: 'up' | 'down') => ({ status, checks: {} });
  const report = (services: Record<string, 'up' | 'down'>): HealthReport => ({
    status: Object.values(services).includes('down') ? 'down' : 'up',
    services: Object.fromEntries(Object.entries(services).map(([name, status]) => [name, service(status)])),
  });

  it.each([
    ['every service answers', { console: 'up', registry: 'up', rollback: 'up' }, 'up'],
    ['a service is down: its routes 502, the others work', { console: 'up', registry: 'up', rollback: 'down' }, 'degraded'],
    ['no service answers: nothing it fronts works', { console: 'up', registry: 'down', rollback: 'down' }, 'down'],
    ["the console's own bus is down", { console: 'down', registry: 'up', rollback: 'up' }, 'down'],
  ] as const)('%s', (_case, services, status) => {
    expect(consoleHealthOf(report(services))).toEqual({ status, services: report(services).services });
  });
});

describe(ConsoleHealthController.name, () => {
  const answer = () => ({ status: jest.fn() }) as unknown as Response;

  it('asks the services once for callers that come together or within a second, then again', async () => {
    const health = new HealthRegistry();
    let rounds = 0;
    health.register('registry', 'health', async () => void (rounds += 1));
    const sut = new ConsoleHealthController(health);

    const together = await Promise.all([sut.readiness(answer()), sut.readiness(answer()), sut.readiness(answer())]);
    expect(together.map((report) => report.status)).toEqual(['up', 'up', 'up']);
    await sut.readiness(answer());
    expect(rounds).toBe(1);

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await sut.readiness(answer());
    expect(rounds).toBe(2);
  });
});
