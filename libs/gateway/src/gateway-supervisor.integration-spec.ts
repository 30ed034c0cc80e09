import { Server, createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { StrataEvent, Topics } from '@strata/contracts';
import { InMemoryEventBus, newEvent } from '@strata/messaging';
import { HealthRegistry } from '@strata/observability';
import { eventually } from '@strata/testing';
import { GatewaySupervisor } from './gateway-supervisor';

const root = join(__dirname, '..', '..', '..');

/** The gateway across two cluster workers, as `apps/gateway` runs it with STRATA_GATEWAY_WORKERS=2. */
describe(GatewaySupervisor.name, () => {
  let backend: Server;
  let bus: InMemoryEventBus;
  let stateDir: string;
  let sut: GatewaySupervisor;
  let base: string;
  let admin: string;
  // A fresh connection per request, so the cluster spreads them over both workers.
  const agent = new Agent({ pipelining: 0 });
  const events: StrataEvent[] = [];

  const send = async (): Promise<number> => {
    // Bounded: a connection the cluster handed to a worker being killed is never answered.
    const answer = await request(`${base}/`, { dispatcher: agent, reset: true, headersTimeout: 3_000, bodyTimeout: 3_000 });
    await answer.body.dump();
    return answer.statusCode;
  };

  beforeAll(async () => {
    backend = createServer((_, response) => response.end('ok'));
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    bus = new InMemoryEventBus(1);
    await bus.start();
    for (const topic of [Topics.routingEvents, Topics.kpiSamples]) {
      await bus.subscribe({ groupId: `observer-${topic}`, topics: [topic], handler: async (message) => void events.push(JSON.parse(String(message.value)) as StrataEvent) });
    }
    stateDir = mkdtempSync(join(tmpdir(), 'strata-supervisor-'));
    sut = new GatewaySupervisor({
      gatewayId: 'gw-cluster',
      host: '127.0.0.1',
      port: 0,
      admin: { port: 0 },
      bus,
      health: new HealthRegistry(),
      stateDir,
      kpiFlushMs: 200,
      busRetryMs: 50,
      workers: 2,
      workerSettings: { exec: join(root, 'apps/gateway/src/main.ts'), execArgv: ['-r', join(root, 'deploy/node/register.js')] },
    });
    const ports = await sut.start();
    base = `http://127.0.0.1:${ports.port}`;
    admin = `http://127.0.0.1:${ports.adminPort}`;
  }, 60_000);

  afterAll(async () => {
    await sut?.stop();
    await bus.stop();
    await agent.close();
    await new Promise((resolve) => backend.close(resolve));
    rmSync(stateDir, { recursive: true, force: true });
  }, 30_000);

  it('ACKs a config once for all workers, serves it on every worker, and sums their metrics', async () => {
    expect(await send()).toBe(503);
    const config = { component: 'checkout', stableConfig: 'v1', stackConfigs: [{ name: 'v1', weight: 100, nodes: [{ id: 'a', url: `http://127.0.0.1:${(backend.address() as AddressInfo).port}` }] }] };
    await bus.publish([
      {
        topic: Topics.routingEvents,
        key: 'shop',
        value: JSON.stringify(newEvent({ type: 'io.strata.routing.config.published.v1', service: 'routing-control', subject: 'shop', data: { stack: 'shop', environment: 'prod', version: 1, config } })),
      },
    ]);
    await eventually(() => expect(events.map((event) => event.type)).toContain('io.strata.routing.config.applied.v1'));
    // Both workers have it once every one of a burst of fresh connections is served.
    await eventually(async () => expect(await Promise.all(Array.from({ length: 10 }, () => send()))).toEqual(Array(10).fill(200)));

    const statuses = await Promise.all(Array.from({ length: 40 }, () => send()));
    const metrics = await (await request(`${admin}/metrics`)).body.text();

    expect(statuses).toEqual(Array(40).fill(200));
    expect(events.filter((event) => event.type === 'io.strata.routing.config.applied.v1')).toHaveLength(1);
    const forwarded = Number(/strata_gateway_requests_total\{outcome="forwarded"\} (\d+)/.exec(metrics)?.[1]);
    expect(forwarded).toBeGreaterThanOrEqual(50);
    await eventually(() => expect(events.some((event) => event.type === 'io.strata.kpi.samples.v1')).toBe(true));
  }, 60_000);

  it('replaces a worker that dies, serving the same config, while the other keeps serving', async () => {
    const [victim, survivor] = sut.workerPids;

    process.kill(victim, 'SIGKILL');
    const during = await Promise.all(Array.from({ length: 20 }, () => send().catch(() => 0)));
    await eventually(() => expect(sut.workerPids).toHaveLength(2), 30_000, 100);
    const replaced = sut.workerPids;
    const after = await Promise.all(Array.from({ length: 20 }, () => send()));

    expect(during.filter((status) => status === 200).length).toBeGreaterThan(0);
    expect(replaced).toContain(survivor);
    expect(replaced).not.toContain(victim);
    expect(after).toEqual(Array(20).fill(200));
  }, 60_000);
});
