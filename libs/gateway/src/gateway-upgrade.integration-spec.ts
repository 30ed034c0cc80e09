import { IncomingMessage, Server, createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo, Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { RoutingPolicy } from '@strata/domain';
import { InMemoryEventBus } from '@strata/messaging';
import { HealthRegistry } from '@strata/observability';
import { eventually } from '@strata/testing';
import { Gateway } from './gateway';

const SLOW_HANDSHAKE_MS = 300;

const HANDSHAKE = (path: string, extra = ''): string =>
  `GET ${path} HTTP/1.1\r\nHost: shop.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;

/** A caller on a raw connection: everything it received, and whether the gateway closed it. */
class Caller {
  received = '';
  closed = false;
  readonly socket: Socket;

  /** `allowHalfOpen`: the caller does not end its side when the gateway ends its own. */
  constructor(port: number, allowHalfOpen = false) {
    this.socket = connect({ port, host: '127.0.0.1', allowHalfOpen });
    this.socket.on('data', (chunk: Buffer) => (this.received += chunk.toString('latin1')));
    this.socket.on('close', () => (this.closed = true));
    this.socket.on('error', () => undefined);
  }

  send(text: string): void {
    this.socket.write(text);
  }
}

/**
 * Protocol upgrades (WebSocket) through the gateway, against in-process backends that switch
 * protocols, decline or are down: the handshake is routed like any request, a 101 is relayed and
 * the connections spliced, anything else relayed as the final answer, and an open tunnel closes
 * when the routing stops sending its stack config new requests, or when the gateway stops.
 */
describe('gateway protocol upgrades', () => {
  const backends: Server[] = [];
  const urls: string[] = [];
  /** What each backend received on its upgraded connections, and whether they closed. */
  const upstream: { received: string; closed: boolean }[] = [];
  /** The backends' upgraded connections, which their servers no longer track. */
  const upgraded: Duplex[] = [];
  let bus: InMemoryEventBus;
  let stateDir: string;
  let sut: Gateway;
  let port: number;
  let adminPort: number;
  let version = 0;

  function serveUpgrade(index: number, request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const seen = { received: head.toString('latin1'), closed: false };
    upstream.push(seen);
    upgraded.push(socket);
    socket.on('close', () => (seen.closed = true));
    socket.on('error', () => undefined);
    // As a WebSocket server does: the peer's end of the stream ends the connection.
    socket.on('end', () => socket.end());
    if (request.url === '/decline') {
      socket.end('HTTP/1.1 426 Upgrade Required\r\ncontent-type: text/plain\r\ncontent-length: 13\r\nconnection: close\r\n\r\nuse /v2/live.');
      return;
    }
    if (request.url === '/decline-slowly') {
      socket.write('HTTP/1.1 426 Upgrade Required\r\ncontent-type: text/plain\r\ncontent-length: 100\r\nconnection: close\r\n\r\nthe first part;');
      return; // the rest never comes
    }
    // A real server answers with Sec-WebSocket-Accept; here the tunnel is what is tested, so the backend names itself.
    const switchProtocols = (): void => {
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Backend: b${index}\r\nX-Strata-Stack-Config: spoofed\r\n\r\nhello from b${index};`);
      socket.on('data', (chunk: Buffer) => {
        seen.received += chunk.toString('latin1');
        socket.write(`echo:${chunk.toString('latin1')}`);
      });
    };
    if (request.url === '/one-message') {
      socket.end(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nthat is all;`);
      return;
    }
    if (request.url === '/slowly') {
      setTimeout(() => !socket.destroyed && switchProtocols(), SLOW_HANDSHAKE_MS);
    } else {
      switchProtocols();
    }
  }

  function policy(overrides: Partial<RoutingPolicy> = {}): RoutingPolicy {
    return {
      component: 'checkout',
      stableConfig: 'v1',
      stackConfigs: [
        { name: 'v1', weight: 100, nodes: [{ id: 'b0', url: urls[0] }] },
        { name: 'v2', weight: 0, nodes: [{ id: 'b1', url: urls[1] }] },
      ],
      rules: [{ match: { header: 'x-canary', value: '1' }, stackConfig: 'v2' }],
      retryBudget: { ratio: 0.2, minRetriesPerSecond: 10 },
      outlierDetection: { consecutiveFailures: 3, baseEjectionMs: 300, maxEjectionMs: 1_000 },
      ...overrides,
    };
  }

  function apply(config: RoutingPolicy): void {
    version += 1;
    expect(sut.applyRoutingPolicy({ stack: 'shop', environment: 'prod', version, config })).toMatchObject({ outcome: 'applied' });
  }

  /** A sample of the admin port's /metrics: `requests_total{outcome="…"}` by outcome, or a metric without labels. */
  async function metric(outcome: string, name = 'strata_gateway_requests_total'): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
    const prefix = outcome === '' ? `${name} ` : `${name}{outcome="${outcome}"`;
    const line = text.split('\n').find((candidate) => candidate.startsWith(prefix));
    return line ? Number(line.split(' ').pop()) : 0;
  }

  const openTunnels = (): Promise<number> => metric('', 'strata_gateway_upgraded_connections');

  beforeAll(async () => {
    for (const index of [0, 1]) {
      const backend = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString('latin1')));
        const answer = () => response.end(`plain answer from b${index} to ${request.method}${body ? ` ${body}` : ''}; upgrade=${request.headers.upgrade ?? '-'}`);
        request.on('end', () => (request.url === '/slow-plain' ? setTimeout(answer, SLOW_HANDSHAKE_MS) : answer()));
      });
      backend.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => serveUpgrade(index, request, socket, head));
      await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
      backends.push(backend);
      urls.push(`http://127.0.0.1:${(backend.address() as AddressInfo).port}`);
    }
  });

  afterAll(async () => {
    upgraded.forEach((socket) => socket.destroy());
    for (const backend of backends) {
      backend.closeAllConnections();
      await new Promise((resolve) => backend.close(resolve));
    }
  });

  beforeEach(async () => {
    upstream.length = 0;
    bus = new InMemoryEventBus(1);
    await bus.start();
    stateDir = mkdtempSync(join(tmpdir(), 'strata-gateway-upgrade-'));
    sut = new Gateway({ gatewayId: 'upgrade', host: '127.0.0.1', port: 0, admin: { port: 0 }, bus, health: new HealthRegistry(), stateDir, kpiFlushMs: 100, busRetryMs: 50 });
    ({ port, adminPort } = await sut.start());
    apply(policy());
  });

  afterEach(async () => {
    await sut.stop();
    await bus.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('relays the 101 with the backend\'s handshake headers, then carries bytes both ways', async () => {
    const caller = new Caller(port);
    caller.send(HANDSHAKE('/live?room=7') + 'sent-with-the-handshake;');
    await eventually(() => expect(caller.received).toContain('hello from b0;echo:sent-with-the-handshake;'));
    const [head] = caller.received.split('\r\n\r\n');
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
    expect(head).toMatch(/^Upgrade: websocket$/m);
    expect(head).toMatch(/^Connection: Upgrade$/m);
    expect(head).toMatch(/^X-Backend: b0$/m);
    expect(head).toMatch(/^x-strata-stack-config: v1$/m);
    expect(head).not.toMatch(/spoofed/);
    caller.send('ping-1;');
    caller.send('ping-2;');
    // TCP may deliver the two pings to the backend as one chunk, echoed once: compare without the echo marks.
    await eventually(() => expect(caller.received.replace(/echo:/g, '')).toContain('sent-with-the-handshake;ping-1;ping-2;'));
    expect(upstream[0].received).toBe('sent-with-the-handshake;ping-1;ping-2;');
    expect(await metric('forwarded')).toBe(1);
    expect(await openTunnels()).toBe(1);
    caller.socket.end();
    await eventually(() => expect(upstream[0].closed).toBe(true));
    await eventually(async () => expect(await openTunnels()).toBe(0));
  });

  it('routes the upgrade by the policy\'s rules like any request', async () => {
    const caller = new Caller(port);
    caller.send(HANDSHAKE('/live', 'X-Canary: 1\r\n'));
    await eventually(() => expect(caller.received).toContain('hello from b1;'));
    expect(caller.received).toMatch(/^x-strata-stack-config: v2$/m);
    caller.socket.destroy(); // gone without ending its stream: the backend's side is ended for it
    await eventually(() => expect(upstream[0].closed).toBe(true));
    await eventually(async () => expect(await openTunnels()).toBe(0));
  });

  it('closes a tunnel one side has ended once the grace period is over, whatever the other side does', async () => {
    const caller = new Caller(port, true);
    caller.send(HANDSHAKE('/one-message'));
    await eventually(() => expect(caller.received).toContain('that is all;'));
    expect(await openTunnels()).toBe(1);
    // The caller never ends its side; the gateway does not keep the tunnel for it.
    await eventually(async () => expect(await openTunnels()).toBe(0), 8_000, 250);
    caller.socket.destroy();
  });

  it('relays a declined upgrade as the final answer, without its hop-by-hop headers, and closes the connection', async () => {
    const caller = new Caller(port);
    caller.send(HANDSHAKE('/decline'));
    await eventually(() => expect(caller.closed).toBe(true));
    const [head, body] = caller.received.split('\r\n\r\n');
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 426 Upgrade Required');
    expect(head).toMatch(/^content-length: 13$/m);
    expect(head).toMatch(/^x-strata-stack-config: v1$/m);
    expect(head.match(/^connection:/gim)).toEqual(['connection:']);
    expect(head).toMatch(/^connection: close$/m);
    expect(body).toBe('use /v2/live.');
  });

  it('drops what the caller sends after a declined handshake, and lets its connection go', async () => {
    const caller = new Caller(port);
    caller.send(HANDSHAKE('/decline') + 'frames nobody will read'.repeat(5_000));
    await eventually(() => expect(caller.received).toContain('use /v2/live.'));
    caller.socket.end();
    await eventually(() => expect(caller.closed).toBe(true));
    await eventually(async () => expect(await openTunnels()).toBe(0));
  });

  it('gives up a handshake, and blames no node, when the caller leaves before the backend answers', async () => {
    const [abortedBefore, failedBefore] = [await metric('caller-aborted'), await metric('upstream-failed')];
    const caller = new Caller(port);
    caller.send(HANDSHAKE('/slowly'));
    await eventually(() => expect(upstream).toHaveLength(1));
    caller.socket.end();
    await eventually(() => expect(upstream[0].closed).toBe(true));
    await eventually(async () => expect(await openTunnels()).toBe(0));
    expect(await metric('caller-aborted')).toBe(abortedBefore + 1);
    expect(await metric('upstream-failed')).toBe(failedBefore);
  });

  it('abandons a declined answer the caller stops reading, and blames no node', async () => {
    const abortedBefore = await metric('caller-aborted');
    const caller = new Caller(port);
    caller.send(HANDSHAKE('/decline-slowly'));
    await eventually(() => expect(caller.received).toContain('the first part;'));
    caller.socket.destroy();
    await eventually(() => expect(upstream[0].closed).toBe(true));
    await eventually(async () => expect(await openTunnels()).toBe(0));
    expect(await metric('caller-aborted')).toBe(abortedBefore + 1);
  });

  it('does not open a tunnel whose handshake ends after a routing that no longer routes there', async () => {
    const caller = new Caller(port);
    caller.send(HANDSHAKE('/slowly', 'X-Canary: 1\r\n'));
    await eventually(() => expect(upstream).toHaveLength(1));
    apply(policy({ rules: [] })); // the canary's rule is gone while its node is answering
    await eventually(() => expect(caller.closed).toBe(true));
    expect(caller.received).toBe('');
    await eventually(() => expect(upstream[0].closed).toBe(true));
    await eventually(async () => expect(await openTunnels()).toBe(0));
  });

  it('answers 502 in problem+json when the node cannot be reached, and counts it', async () => {
    apply(policy({ stackConfigs: [{ name: 'v1', weight: 100, nodes: [{ id: 'gone', url: 'http://127.0.0.1:1' }] }], rules: [] }));
    const failedBefore = await metric('upstream-failed');
    const caller = new Caller(port);
    caller.send(HANDSHAKE('/live'));
    await eventually(() => expect(caller.closed).toBe(true));
    const [head, body] = caller.received.split('\r\n\r\n');
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 502 Bad Gateway');
    expect(head).toMatch(/^content-type: application\/problem\+json$/m);
    expect(JSON.parse(body)).toMatchObject({ status: 502, detail: expect.stringContaining('gone') });
    expect(await metric('upstream-failed')).toBe(failedBefore + 1);
  });

  it('refuses on the connection what the network policy denies, and an upgrade carrying a body', async () => {
    apply(policy({ networkPolicy: { allow: [{ from: { header: 'X-Caller', values: ['web'] }, to: 'checkout' }] } }));
    const denied = new Caller(port);
    denied.send(HANDSHAKE('/live'));
    await eventually(() => expect(denied.closed).toBe(true));
    expect(denied.received.split('\r\n')[0]).toBe('HTTP/1.1 403 Forbidden');
    expect(upstream).toHaveLength(0);

    const withBody = new Caller(port);
    withBody.send(HANDSHAKE('/live', 'X-Caller: web\r\nContent-Length: 5\r\n') + 'hello');
    await eventually(() => expect(withBody.closed).toBe(true));
    const [head, body] = withBody.received.split('\r\n\r\n');
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(JSON.parse(body)).toMatchObject({ errors: [{ field: 'content-length' }] });
    expect(upstream).toHaveLength(0);
  });

  it('keeps a tunnel while the routing still sends its stack config requests, and closes it when it stops', async () => {
    const canary = new Caller(port);
    canary.send(HANDSHAKE('/live', 'X-Canary: 1\r\n'));
    const stable = new Caller(port);
    stable.send(HANDSHAKE('/live'));
    await eventually(() => expect(canary.received).toContain('hello from b1;'));
    await eventually(() => expect(stable.received).toContain('hello from b0;'));

    // The canary takes weighted traffic now, with no rule: both tunnels are still routable.
    apply(policy({ stackConfigs: [{ name: 'v1', weight: 80, nodes: [{ id: 'b0', url: urls[0] }] }, { name: 'v2', weight: 20, nodes: [{ id: 'b1', url: urls[1] }] }], rules: [] }));
    canary.send('still-here;');
    await eventually(() => expect(canary.received).toContain('echo:still-here;'));

    // Aborted: the canary is back at weight 0 and no rule names it. Its tunnel closes; stable's stays.
    apply(policy({ rules: [] }));
    await eventually(() => expect(canary.closed).toBe(true));
    await eventually(() => expect(upstream.find((seen) => seen.received.includes('still-here'))?.closed).toBe(true));
    await eventually(async () => expect(await openTunnels()).toBe(1));
    stable.send('after-abort;');
    await eventually(() => expect(stable.received).toContain('echo:after-abort;'));
    expect(stable.closed).toBe(false);
    stable.socket.destroy();
  });

  it('closes open tunnels when the gateway stops, without waiting for them', async () => {
    const caller = new Caller(port);
    caller.send(HANDSHAKE('/live'));
    await eventually(() => expect(caller.received).toContain('hello from b0;'));
    const startedAt = Date.now();
    await sut.stop();
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    await eventually(() => expect(caller.closed).toBe(true));
    await eventually(() => expect(upstream[0].closed).toBe(true));
  });

  it('still answers plain requests on the same listener', async () => {
    const answer = await fetch(`http://127.0.0.1:${port}/plain`);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe('plain answer from b0 to GET; upgrade=-');
  });

  it('declines an h2c upgrade by answering in HTTP/1.1, body and keep-alive included, as nginx does', async () => {
    const caller = new Caller(port);
    const h2c = 'Host: shop.example\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n';
    caller.send(`POST /orders HTTP/1.1\r\n${h2c}Content-Length: 9\r\n\r\n{"id": 7}`);
    await eventually(() => expect(caller.received).toContain('plain answer from b0 to POST {"id": 7}; upgrade=-'));
    caller.send(`GET /orders HTTP/1.1\r\n${h2c}\r\n`);
    await eventually(() => expect(caller.received).toContain('plain answer from b0 to GET; upgrade=-'));
    expect(caller.received.split('HTTP/1.1 200 OK\r\n')).toHaveLength(3); // two answers on one connection
    expect(caller.closed).toBe(false);
    expect(upstream).toHaveLength(0);
    caller.socket.destroy();
  });

  it('switches protocols only after the answers to requests pipelined before the handshake', async () => {
    const caller = new Caller(port);
    caller.send(`GET /slow-plain HTTP/1.1\r\nHost: shop.example\r\n\r\n${HANDSHAKE('/live')}`);
    await eventually(() => expect(caller.received).toContain('hello from b0;'));
    const answered = caller.received.indexOf('plain answer from b0 to GET');
    expect(answered).toBeGreaterThan(0);
    expect(caller.received.indexOf('HTTP/1.1 101 Switching Protocols')).toBeGreaterThan(answered);
    caller.socket.destroy();
  });

  it('answers pipelined requests in order when h2c upgrades are among them', async () => {
    const caller = new Caller(port);
    const h2c = 'Host: shop.example\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n';
    caller.send(
      [
        `POST /orders HTTP/1.1\r\n${h2c}Content-Length: 9\r\n\r\n{"id": 1}`,
        `POST /orders HTTP/1.1\r\n${h2c}Content-Length: 9\r\n\r\n{"id": 2}`,
        'POST /orders HTTP/1.1\r\nHost: shop.example\r\nContent-Length: 9\r\n\r\n{"id": 3}',
        `POST /orders HTTP/1.1\r\n${h2c}Content-Length: 9\r\n\r\n{"id": 4}`,
      ].join(''),
    );
    await eventually(() => expect(caller.received.split('HTTP/1.1 200 OK\r\n')).toHaveLength(5));
    const order = [...caller.received.matchAll(/to POST \{"id": (\d)\}/g)].map((match) => match[1]);
    expect(order).toEqual(['1', '2', '3', '4']);
    expect(caller.closed).toBe(false);
    expect(upstream).toHaveLength(0);
    caller.socket.destroy();
  });
});
