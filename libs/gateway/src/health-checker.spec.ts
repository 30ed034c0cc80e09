import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { OutgoingMessage } from '@strata/messaging';
import { Logger } from '@strata/observability';
import { CompiledRoutingPolicy } from './compiled-routing-policy';
import { ClusterManager } from './cluster-manager';
import { ManualClock, compileForSpec, specRoutingPolicy } from './gateway.testing';
import { HealthChecker, healthPayloadVersion } from './health-checker';
import { OutlierDetector } from './outlier-detector';
import { VersionDiscovery } from './version-discovery';

describe(HealthChecker.name, () => {
  const cluster = new ClusterManager();
  let backend: Server;
  let origin: string;
  /** What the backend answers its health probes with. */
  let answer: { status: number; body: string };
  let reported: OutgoingMessage[];
  let refreshed: CompiledRoutingPolicy[];
  let sut: HealthChecker;

  beforeAll(async () => {
    backend = createServer((_, response) => response.writeHead(answer.status, { 'x-strata-version': '1.0.0' }).end(answer.body));
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await cluster.destroy();
    await new Promise((resolve) => backend.close(resolve));
  });

  beforeEach(() => {
    reported = [];
    refreshed = [];
    const logger = new Logger('spec');
    sut = new HealthChecker(new OutlierDetector(new ManualClock(), logger, (routing) => refreshed.push(routing)), new VersionDiscovery('production', (messages) => reported.push(...messages), logger));
  });

  const routingOnBackend = (): CompiledRoutingPolicy =>
    compileForSpec(
      cluster,
      new ManualClock(),
      specRoutingPolicy({
        stackConfigs: [{ name: 'v1', weight: 100, nodes: [{ id: 'v1-a', url: origin, version: '1.0.0' }] }],
        healthCheck: { path: '/healthz', intervalMs: 60_000 },
      }),
    );

  it('reports the version of the health payload over the header\'s', async () => {
    answer = { status: 200, body: JSON.stringify({ version: '1.1.0' }) };

    await sut.probeAll(routingOnBackend());

    expect(reported.map((message) => JSON.parse(String(message.value)) as { data: { discoveredVersion: string; source: string } }).map((event) => [event.data.discoveredVersion, event.data.source])).toEqual([['1.1.0', 'health-check']]);
  });

  it('counts failing probes against the node until it is ejected', async () => {
    answer = { status: 503, body: 'down' };
    const routing = routingOnBackend();

    await sut.probeAll(routing);
    await sut.probeAll(routing);

    expect(reported).toEqual([]);
    expect(refreshed).toEqual([routing]);
  });

  it('reads a version only from a JSON payload naming one', () => {
    expect([healthPayloadVersion('{"version":"2.0.0"}'), healthPayloadVersion('{"version":2}'), healthPayloadVersion('ok')]).toEqual(['2.0.0', undefined, undefined]);
  });
});
