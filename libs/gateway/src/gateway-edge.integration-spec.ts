import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { InMemoryEventBus } from '@strata/messaging';
import { HealthRegistry } from '@strata/observability';
import { Gateway } from './gateway';
import { ConnectionLimits, DEFAULT_CONNECTION_LIMITS } from './http-listener';
import { Trickler, getOnNewConnection, openTrickler, parseRaw, rawExchange } from './test-support/raw-http';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The gateway as a hostile client meets it, over raw sockets: connections that trickle their
 * headers or body, or idle, are closed within the configured bounds while other clients are
 * served; ambiguous Host headers and targets other than a path are refused before routing; the
 * gateway's own endpoints live on the admin port, and every path of the data port is the backend's.
 */
describe('gateway edge', () => {
  let backend: Server;
  let backendUrl: string;
  /** Every request target the backend received. */
  let backendSaw: string[] = [];
  let bus: InMemoryEventBus;
  let stateDir: string;
  let sut: Gateway | undefined;
  let port: number;
  let adminPort: number;
  const tricklers: Trickler[] = [];

  function serveBackend(request: IncomingMessage, response: ServerResponse): void {
    backendSaw.push(request.url ?? '');
    let bytes = 0;
    request.on('data', (chunk: Buffer) => (bytes += chunk.length));
    request.on('end', () => {
      const body = JSON.stringify({ backend: true, path: request.url, bytes });
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      response.end(body);
    });
  }

  async function startGateway(limits: Partial<ConnectionLimits> = {}): Promise<void> {
    sut = new Gateway({ gatewayId: 'edge', host: '127.0.0.1', port: 0, admin: { port: 0 }, limits, bus, health: new HealthRegistry(), stateDir, kpiFlushMs: 100, busRetryMs: 50 });
    ({ port, adminPort } = await sut.start());
    const outcome = sut.applyRoutingPolicy({
      stack: 'shop',
      environment: 'prod',
      version: 1,
      config: { component: 'checkout', stableConfig: 'v1', stackConfigs: [{ name: 'v1', weight: 100, nodes: [{ id: 'v1-a', url: backendUrl }] }] },
    });
    expect(outcome).toMatchObject({ outcome: 'applied' });
  }

  beforeAll(async () => {
    backend = createServer(serveBackend);
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    backend.closeAllConnections();
    await new Promise((resolve) => backend.close(resolve));
  });

  beforeEach(async () => {
    backendSaw = [];
    bus = new InMemoryEventBus(1);
    await bus.start();
    stateDir = mkdtempSync(join(tmpdir(), 'strata-gateway-edge-'));
  });

  afterEach(async () => {
    tricklers.splice(0).forEach((trickler) => trickler.socket.destroy());
    await sut?.stop();
    sut = undefined;
    await bus.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('closes 200 connections trickling a request line within the default headers timeout, answering 408, while serving other clients', async () => {
    await startGateway();
    const bound = DEFAULT_CONNECTION_LIMITS.headersTimeoutMs;
    // Longer than the bytes a trickler can send before the bound: the request line never ends.
    const requestLine = `GET /${'a'.repeat(2_000)} HTTP/1.1\r\n`;
    tricklers.push(...Array.from({ length: 200 }, () => openTrickler(port)));
    let sent = 0;
    const drip = setInterval(() => {
      tricklers.forEach((trickler) => trickler.closedAt === undefined && trickler.socket.write(requestLine[sent]));
      sent++;
    }, 100);
    const served: { status: number; ms: number }[] = [];
    try {
      while (tricklers.some((trickler) => trickler.closedAt === undefined) && performance.now() - tricklers[0].openedAt < bound + 5_000) {
        const startedAt = performance.now();
        const answer = await getOnNewConnection(port);
        served.push({ status: answer.status, ms: performance.now() - startedAt });
        await sleep(200);
      }
    } finally {
      clearInterval(drip);
    }

    const heldMs = tricklers.map((trickler) => (trickler.closedAt ?? Number.POSITIVE_INFINITY) - trickler.openedAt);
    // Not before the bound (it is the headers timeout that closes them), and at most one check interval (1 s) after it, plus a loaded machine's slack.
    expect(Math.min(...heldMs)).toBeGreaterThanOrEqual(bound - 100);
    expect(Math.max(...heldMs)).toBeLessThan(bound + 1_000 + 1_500);
    expect(sent).toBeLessThan(requestLine.length);
    expect(new Set(tricklers.map((trickler) => parseRaw(trickler.received).status))).toEqual(new Set([408]));
    expect(parseRaw(tricklers[0].received)).toMatchObject({ headers: { 'content-type': 'application/problem+json', connection: 'close' } });
    expect(JSON.parse(parseRaw(tricklers[0].received).body)).toMatchObject({ status: 408, type: expect.stringMatching(/request-timeout$/) });
    // Every other client was served meanwhile, and promptly.
    expect(served.length).toBeGreaterThanOrEqual(20);
    expect(served.filter((answer) => answer.status !== 200)).toEqual([]);
    expect(Math.max(...served.map((answer) => answer.ms))).toBeLessThan(1_000);
    expect(backendSaw.every((path) => path === '/')).toBe(true);
  }, 40_000);

  it('closes a connection that sends nothing, and one that trickles its headers after the request line, within a lowered headers timeout', async () => {
    await startGateway({ headersTimeoutMs: 1_000, requestTimeoutMs: 2_000 });
    const silent = openTrickler(port);
    const headers = openTrickler(port);
    tricklers.push(silent, headers);
    headers.socket.write('GET / HTTP/1.1\r\nHost: shop\r\n');
    const drip = setInterval(() => headers.closedAt === undefined && headers.socket.write('x'), 50);
    try {
      await sleep(3_000);
    } finally {
      clearInterval(drip);
    }

    for (const trickler of [silent, headers]) {
      expect(trickler.closedAt! - trickler.openedAt).toBeGreaterThanOrEqual(900);
      expect(trickler.closedAt! - trickler.openedAt).toBeLessThan(1_000 + 100 + 1_000);
      expect(parseRaw(trickler.received).status).toBe(408);
    }
  });

  it('closes a connection whose body trickles past the request timeout', async () => {
    await startGateway({ headersTimeoutMs: 1_000, requestTimeoutMs: 2_000 });
    const upload = openTrickler(port);
    tricklers.push(upload);
    upload.socket.write('POST /upload HTTP/1.1\r\nHost: shop\r\nContent-Length: 1000\r\n\r\n');
    const drip = setInterval(() => upload.closedAt === undefined && upload.socket.write('x'), 100);
    try {
      await sleep(4_000);
    } finally {
      clearInterval(drip);
    }

    expect(upload.closedAt! - upload.openedAt).toBeGreaterThanOrEqual(1_900);
    expect(upload.closedAt! - upload.openedAt).toBeLessThan(2_000 + 200 + 1_000);
    expect(parseRaw(upload.received).status).toBe(408);
  });

  it('closes a keep-alive connection idle for longer than the keep-alive timeout, and tells the client the limit', async () => {
    await startGateway({ keepAliveTimeoutMs: 1_000 });
    const client = openTrickler(port);
    tricklers.push(client);
    client.socket.write('GET / HTTP/1.1\r\nHost: shop\r\n\r\n');
    const answeredAt = await new Promise<number>((resolve) => client.socket.once('data', () => resolve(performance.now())));
    await sleep(3_500);

    expect(parseRaw(client.received)).toMatchObject({ status: 200, headers: { connection: 'keep-alive', 'keep-alive': 'timeout=1' } });
    // node closes a second after the advertised timeout, so a client that honours it never races the close.
    expect(client.closedAt! - answeredAt).toBeGreaterThanOrEqual(1_000 + 1_000 - 100);
    expect(client.closedAt! - answeredAt).toBeLessThan(1_000 + 1_000 + 1_000);
  });

  describe('refuses before routing, in problem+json, and closes the connection', () => {
    beforeEach(() => startGateway());

    it.each([
      ['two Host headers', 'GET / HTTP/1.1\r\nHost: shop.example.com\r\nHost: evil.example.com\r\n\r\n', 'invalid-host-header', /2 Host headers/],
      ['two Host headers on HTTP/1.0', 'GET / HTTP/1.0\r\nHost: shop.example.com\r\nhost: evil.example.com\r\n\r\n', 'invalid-host-header', /2 Host headers/],
      ['no Host header on HTTP/1.1', 'GET / HTTP/1.1\r\nAccept: */*\r\n\r\n', 'invalid-host-header', /no Host header/],
      ['an empty Host header', 'GET / HTTP/1.1\r\nHost: \r\n\r\n', 'invalid-host-header', /not a valid host/],
    ])('%s, naming the header', async (_case, bytes, slug, detail) => {
      const answer = await rawExchange(port, bytes);

      expect(answer).toMatchObject({ status: 400, headers: { 'content-type': 'application/problem+json', connection: 'close' } });
      expect(JSON.parse(answer.body)).toMatchObject({ status: 400, type: expect.stringMatching(new RegExp(`${slug}$`)), detail: expect.stringMatching(detail), errors: [{ field: 'host' }] });
      expect(backendSaw).toEqual([]);
    });

    it.each([
      ['an absolute-form target', 'GET http://evil.example.com/ HTTP/1.1\r\nHost: evil.example.com\r\n\r\n', /absolute-form/],
      ['an absolute-form target whose host matches', 'GET http://shop.example.com/cart HTTP/1.1\r\nHost: shop.example.com\r\n\r\n', /absolute-form/],
      ['an asterisk-form OPTIONS', 'OPTIONS * HTTP/1.1\r\nHost: shop.example.com\r\n\r\n', /asterisk-form/],
      ['an authority-form CONNECT', 'CONNECT evil.example.com:443 HTTP/1.1\r\nHost: evil.example.com:443\r\n\r\n', /authority-form/],
    ])('%s', async (_case, bytes, detail) => {
      const answer = await rawExchange(port, bytes);

      expect(answer).toMatchObject({ status: 400, headers: { 'content-type': 'application/problem+json', connection: 'close' } });
      expect(JSON.parse(answer.body)).toMatchObject({ status: 400, type: expect.stringMatching(/invalid-request-target$/), detail: expect.stringMatching(detail) });
      expect(backendSaw).toEqual([]);
    });

    it('a request that is not HTTP', async () => {
      const answer = await rawExchange(port, 'GET / HTTP/1.1\r\nHost shop.example.com\r\n\r\n');

      expect(answer).toMatchObject({ status: 400, headers: { 'content-type': 'application/problem+json', connection: 'close' } });
      expect(JSON.parse(answer.body)).toMatchObject({ status: 400, type: expect.stringMatching(/malformed-request$/) });
    });

    it('but routes an HTTP/1.0 request without Host', async () => {
      const answer = await rawExchange(port, 'GET /legacy HTTP/1.0\r\n\r\n');

      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ backend: true, path: '/legacy' });
    });
  });

  describe('admin listener', () => {
    beforeEach(() => startGateway());

    it('leaves /health and /metrics on the data port to the backend', async () => {
      for (const path of ['/health', '/metrics', '/health?full=1']) {
        const answer = await getOnNewConnection(port, path);

        expect({ status: answer.status, stackConfig: answer.headers['x-strata-stack-config'] }).toEqual({ status: 200, stackConfig: 'v1' });
        expect(JSON.parse(answer.body)).toMatchObject({ backend: true, path });
      }
    });

    it('serves the gateway\'s health and metrics on its own port', async () => {
      const health = await getOnNewConnection(adminPort, '/health');
      const metrics = await getOnNewConnection(adminPort, '/metrics');

      expect(health.status).toBe(200);
      expect(JSON.parse(health.body)).toMatchObject({ gatewayId: 'edge', routingVersion: 1, status: 'up' });
      expect(metrics.status).toBe(200);
      expect(metrics.body).toContain('strata_gateway_requests_total');
      expect(backendSaw).toEqual([]);
    });

    it('answers other paths and methods in problem+json, and refuses two Host headers too', async () => {
      const unknown = await rawExchange(adminPort, 'GET /config_dump HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n');
      const post = await rawExchange(adminPort, 'POST /health HTTP/1.1\r\nHost: admin\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      const twoHosts = await rawExchange(adminPort, 'GET /health HTTP/1.1\r\nHost: admin\r\nHost: evil\r\n\r\n');

      expect(unknown).toMatchObject({ status: 404, headers: { 'content-type': 'application/problem+json' } });
      expect(JSON.parse(unknown.body)).toMatchObject({ detail: 'the admin listener serves /health, /metrics' });
      expect(post).toMatchObject({ status: 405, headers: { 'content-type': 'application/problem+json', allow: 'GET, HEAD' } });
      expect(twoHosts).toMatchObject({ status: 400, headers: { 'content-type': 'application/problem+json', connection: 'close' } });
    });
  });
});
