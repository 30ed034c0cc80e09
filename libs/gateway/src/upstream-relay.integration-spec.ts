import { createHash } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { eventually } from '@strata/testing';
import { InMemoryEventBus } from '@strata/messaging';
import { HealthRegistry } from '@strata/observability';
import { Gateway } from './gateway';

const BIG_BODY_BYTES = 64 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'x');

/**
 * How the gateway relays bytes, against an in-process backend whose every behaviour is under the
 * test's control: bodies both ways with backpressure, repeated headers, hop-by-hop headers, and a
 * caller that hangs up in the middle of a response.
 */
describe('gateway upstream relay', () => {
  let backend: Server;
  let backendUrl: string;
  let bus: InMemoryEventBus;
  let stateDir: string;
  let sut: Gateway;
  let gatewayPort: number;
  let adminPort: number;
  let streamClosedEarly: Promise<void>;
  let markStreamClosedEarly: () => void;
  /** Bytes of /big the backend has handed to its socket so far. */
  let bigBytesSent = 0;

  function serveBackend(request: IncomingMessage, response: ServerResponse): void {
    if (request.url === '/big') {
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BIG_BODY_BYTES });
      bigBytesSent = 0;
      const pump = (): void => {
        while (bigBytesSent < BIG_BODY_BYTES) {
          bigBytesSent += CHUNK.length;
          if (!response.write(CHUNK)) {
            response.once('drain', pump);
            return;
          }
        }
        response.end();
      };
      pump();
      return;
    }
    if (request.url === '/echo') {
      const hash = createHash('sha256');
      let bytes = 0;
      request.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        bytes += chunk.length;
      });
      request.on('end', () => response.end(JSON.stringify({ method: request.method, bytes, sha256: hash.digest('hex') })));
      return;
    }
    if (request.url === '/early') {
      // Answers before reading the body (a refusal, an upload limit): what a caller still sends is not its concern.
      response.end('refused early');
      return;
    }
    if (request.url === '/cookies') {
      response.writeHead(200, [
        ['Set-Cookie', 'a=1; Path=/'],
        ['Set-Cookie', 'b=2; Path=/'],
        ['Keep-Alive', 'timeout=5'],
        ['X-Backend', 'yes'],
        ['X-Strata-Stack-Config', 'spoofed'],
      ]);
      response.end('ok');
      return;
    }
    if (request.url === '/endless') {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('first chunk\n');
      response.on('close', () => {
        if (!response.writableFinished) {
          markStreamClosedEarly();
        }
      });
      return; // never ends by itself: only an abort from the gateway closes it
    }
    response.writeHead(404).end();
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
    streamClosedEarly = new Promise((resolve) => (markStreamClosedEarly = resolve));
    bus = new InMemoryEventBus(1);
    await bus.start();
    stateDir = mkdtempSync(join(tmpdir(), 'strata-gateway-relay-'));
    sut = new Gateway({ gatewayId: 'relay', host: '127.0.0.1', port: 0, admin: { port: 0 }, bus, health: new HealthRegistry(), stateDir, kpiFlushMs: 100, busRetryMs: 50 });
    ({ port: gatewayPort, adminPort } = await sut.start());
    const outcome = sut.applyRoutingPolicy({
      stack: 'shop',
      environment: 'prod',
      version: 1,
      config: {
        component: 'checkout',
        stableConfig: 'v1',
        stackConfigs: [{ name: 'v1', weight: 100, nodes: [{ id: 'v1-a', url: backendUrl }] }],
        rules: [],
        retryBudget: { ratio: 0.2, minRetriesPerSecond: 10 },
        outlierDetection: { consecutiveFailures: 3, baseEjectionMs: 300, maxEjectionMs: 1_000 },
      },
    });
    expect(outcome).toMatchObject({ outcome: 'applied' });
  });

  afterEach(async () => {
    await sut.stop();
    await bus.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** A raw node:http call, so the test sees headers exactly as the gateway wrote them. */
  function call(path: string, options: { method?: string; body?: Buffer } = {}): Promise<{ status: number; rawHeaders: string[]; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest({ host: '127.0.0.1', port: gatewayPort, path, method: options.method ?? 'GET' }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, rawHeaders: incoming.rawHeaders, body: Buffer.concat(chunks) }));
        incoming.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(options.body);
    });
  }

  it('holds the backend back while the caller does not read, then relays the whole body', async () => {
    const received = await new Promise<{ bytes: number; sha256: string; sentWhilePaused: number }>((resolve, reject) => {
      const outgoing = httpRequest({ host: '127.0.0.1', port: gatewayPort, path: '/big' }, (incoming) => {
        const hash = createHash('sha256');
        let bytes = 0;
        let sentWhilePaused = -1;
        incoming.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          bytes += chunk.length;
          if (sentWhilePaused === -1) {
            // The caller stops reading: only socket buffers may fill, not the gateway's memory.
            sentWhilePaused = 0;
            incoming.pause();
            setTimeout(() => {
              sentWhilePaused = bigBytesSent;
              incoming.resume();
            }, 1_000);
          }
        });
        incoming.on('end', () => resolve({ bytes, sha256: hash.digest('hex'), sentWhilePaused }));
        incoming.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end();
    });

    expect(received.bytes).toBe(BIG_BODY_BYTES);
    expect(received.sha256).toBe(createHash('sha256').update(Buffer.alloc(BIG_BODY_BYTES, 'x')).digest('hex'));
    expect(received.sentWhilePaused).toBeGreaterThan(0);
    expect(received.sentWhilePaused).toBeLessThan(BIG_BODY_BYTES / 2);
  }, 60_000);

  it('forwards a request body byte for byte', async () => {
    const body = Buffer.from(Array.from({ length: 3 * 1024 * 1024 }, (_, index) => index % 251));

    const answer = await call('/echo', { method: 'POST', body });

    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString())).toEqual({ method: 'POST', bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') });
  });

  it('lets a caller finish sending a body the backend answered without reading, then serves its next request', async () => {
    // The backend closes its end; the gateway discards the rest, as nginx does, instead of leaving the
    // caller blocked on a full socket until the request timeout (60 s) cuts it.
    const started = Date.now();
    const answer = await new Promise<{ status: number; body: string; sentAfterMs: number }>((resolve, reject) => {
      let sentAfterMs = -1;
      let status = 0;
      let body = '';
      const settle = () => sentAfterMs >= 0 && status > 0 && resolve({ status, body, sentAfterMs });
      const outgoing = httpRequest({ host: '127.0.0.1', port: gatewayPort, path: '/early', method: 'POST' }, (incoming) => {
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk: string) => (body += chunk));
        incoming.on('end', () => {
          status = incoming.statusCode ?? 0;
          settle();
        });
      });
      outgoing.on('error', reject);
      // 'finish': every byte of the body left for the gateway, more than socket buffers hold.
      outgoing.on('finish', () => {
        sentAfterMs = Date.now() - started;
        settle();
      });
      outgoing.end(Buffer.alloc(32 * 1024 * 1024, 'x'));
    });

    expect(answer).toMatchObject({ status: 200, body: 'refused early' });
    expect(answer.sentAfterMs).toBeLessThan(10_000);
    expect((await call('/cookies')).status).toBe(200);
  }, 30_000);

  it('keeps repeated headers, drops hop-by-hop ones and names the stack config in place of the backend', async () => {
    const answer = await call('/cookies');
    const pairs = Array.from({ length: answer.rawHeaders.length / 2 }, (_, index) => [answer.rawHeaders[2 * index]!.toLowerCase(), answer.rawHeaders[2 * index + 1]]);

    expect(pairs.filter(([name]) => name === 'set-cookie').map(([, value]) => value)).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    // The gateway's own connection to the caller has its own keep-alive; the backend's is not copied.
    expect(pairs.filter(([name, value]) => name === 'keep-alive' && value === 'timeout=5')).toEqual([]);
    expect(pairs).toEqual(expect.arrayContaining([['x-backend', 'yes']]));
    // The gateway's own header replaces one the backend sent under that name.
    expect(pairs.filter(([name]) => name === 'x-strata-stack-config')).toEqual([['x-strata-stack-config', 'v1']]);
  });

  it('aborts the upstream request when the caller hangs up in the middle of the response', async () => {
    const callerAborted = async (): Promise<number> => {
      const metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
      return Number(/strata_gateway_requests_total\{outcome="caller-aborted"\} (\d+)/.exec(metrics)?.[1] ?? 0);
    };
    const before = await callerAborted();
    await new Promise<void>((resolve, reject) => {
      const outgoing = httpRequest({ host: '127.0.0.1', port: gatewayPort, path: '/endless' }, (incoming) => {
        incoming.once('data', () => {
          outgoing.destroy();
          resolve();
        });
      });
      outgoing.on('error', (error) => (outgoing.destroyed ? undefined : reject(error)));
      outgoing.end();
    });

    await streamClosedEarly;
    // The gateway counts it as the caller's doing, not the backend's.
    await eventually(async () => expect(await callerAborted()).toBe(before + 1));
  });
});
