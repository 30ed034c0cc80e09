import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { acceptWebSocket } from './websocket-echo';

/**
 * A backend for tests, the quickstart and benchmarks. It reports its version on every response
 * (`x-strata-version`) and on `/healthz`, and takes faults at runtime:
 *   POST /_faults {"errorRate": 0.5, "latencyMs": 200}   (GET /_faults shows them, DELETE clears)
 *   POST /_faults {"resetConnections": true}   every request but /_faults, /healthz included, has
 *   its connection reset unanswered: a node that is down as far as its callers can tell.
 * Environment: HOST (127.0.0.1), PORT (8080; 0 picks a free one), STRATA_SAMPLE_VERSION (1.0.0),
 * STRATA_SAMPLE_NODE_ID (sample-<port>). On start it prints one JSON line with the bound port, so a
 * test or a bench can start it on port 0.
 * With STRATA_HEARTBEAT_URL (the registry's origin, e.g. http://127.0.0.1:8080) it announces itself
 * as a node, as a node agent would: `POST /v1/nodes/heartbeat` every STRATA_HEARTBEAT_INTERVAL_MS
 * (5000) with STRATA_SAMPLE_STACK, STRATA_SAMPLE_ENVIRONMENT (production), STRATA_SAMPLE_COMPONENT,
 * its address and version; routing policies then route to it without listing it.
 * `GET /ws` is a WebSocket echo (websocket-echo.ts): its first message names the version and node.
 */
interface Faults {
  errorRate: number;
  latencyMs: number;
  resetConnections: boolean;
}

const NO_FAULTS: Faults = { errorRate: 0, latencyMs: 0, resetConnections: false };

const version = process.env['STRATA_SAMPLE_VERSION'] ?? '1.0.0';
const host = process.env['HOST'] ?? '127.0.0.1';
const requestedPort = Number(process.env['PORT'] ?? '8080');
if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65_535) {
  process.stderr.write(`PORT must be an integer from 0 to 65535, got '${process.env['PORT']}'\n`);
  process.exit(1);
}

let nodeId = process.env['STRATA_SAMPLE_NODE_ID'] ?? '';
let faults: Faults = NO_FAULTS;
let served = 0;

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'x-strata-version': version, 'x-strata-node': nodeId });
  response.end(body);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseFaults(text: string): Faults | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'the body must be JSON: {"errorRate": 0..1, "latencyMs": >= 0, "resetConnections": boolean}';
  }
  if (typeof value !== 'object' || value === null) {
    return 'the body must be an object';
  }
  const { errorRate = 0, latencyMs = 0, resetConnections = false } = value as Record<string, unknown>;
  if (typeof errorRate !== 'number' || errorRate < 0 || errorRate > 1) {
    return 'errorRate must be a number from 0 to 1';
  }
  if (typeof latencyMs !== 'number' || latencyMs < 0 || latencyMs > 600_000) {
    return 'latencyMs must be a number from 0 to 600000';
  }
  if (typeof resetConnections !== 'boolean') {
    return 'resetConnections must be true or false';
  }
  return { errorRate, latencyMs, resetConnections };
}

async function controlFaults(request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method === 'DELETE') {
    faults = NO_FAULTS;
  } else if (request.method === 'POST' || request.method === 'PUT') {
    const parsed = parseFaults(await readBody(request));
    if (typeof parsed === 'string') {
      send(response, 400, 'application/json', JSON.stringify({ error: parsed }));
      return;
    }
    faults = parsed;
  }
  send(response, 200, 'application/json', JSON.stringify(faults));
}

function serve(request: IncomingMessage, response: ServerResponse): void {
  served++;
  // The body is drained, not buffered: benchmarks post bodies too.
  request.resume();
  const answer = (): void => {
    if (faults.errorRate > 0 && Math.random() < faults.errorRate) {
      send(response, 503, 'application/json', JSON.stringify({ error: 'injected fault', node: nodeId, version }));
      return;
    }
    send(response, 200, 'text/plain', `${nodeId} ${version}\n`);
  };
  if (faults.latencyMs > 0) {
    setTimeout(answer, faults.latencyMs);
  } else {
    answer();
  }
}

const server = createServer((request, response) => {
  const url = request.url ?? '/';
  if (faults.resetConnections && url !== '/_faults') {
    request.socket.resetAndDestroy();
    return;
  }
  if (url === '/healthz') {
    send(response, 200, 'application/json', JSON.stringify({ status: 'up', version, node: nodeId, served, faults }));
  } else if (url === '/_faults') {
    controlFaults(request, response).catch((error: unknown) => {
      response.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  } else {
    serve(request, response);
  }
});
server.keepAliveTimeout = 65_000;

/** Upgraded connections, which node:http no longer tracks: closed on shutdown. */
const upgraded = new Set<Duplex>();
server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
  if (faults.resetConnections) {
    socket.destroy();
    return;
  }
  upgraded.add(socket);
  socket.once('close', () => upgraded.delete(socket));
  acceptWebSocket(request, socket, head, { version, node: nodeId });
});

server.listen(requestedPort, host, () => {
  const { port } = server.address() as AddressInfo;
  nodeId ||= `sample-${port}`;
  process.stdout.write(`${JSON.stringify({ listening: true, host, port, version, node: nodeId })}\n`);
});

/** Heartbeats to the registry, when asked for; a refused or failed one is reported and retried at the next beat. */
function startHeartbeats(port: number): void {
  const registry = process.env['STRATA_HEARTBEAT_URL'];
  if (!registry) {
    return;
  }
  const stack = process.env['STRATA_SAMPLE_STACK'];
  const component = process.env['STRATA_SAMPLE_COMPONENT'];
  const intervalMs = Number(process.env['STRATA_HEARTBEAT_INTERVAL_MS'] ?? '5000');
  for (const [name, value] of [['STRATA_SAMPLE_STACK', stack], ['STRATA_SAMPLE_COMPONENT', component]] as const) {
    if (!value) {
      process.stderr.write(`${name} is required with STRATA_HEARTBEAT_URL\n`);
      process.exit(1);
    }
  }
  if (!Number.isInteger(intervalMs) || intervalMs < 100 || intervalMs > 60_000) {
    process.stderr.write(`STRATA_HEARTBEAT_INTERVAL_MS must be an integer from 100 to 60000, got '${process.env['STRATA_HEARTBEAT_INTERVAL_MS']}'\n`);
    process.exit(1);
  }
  const body = JSON.stringify({ stack, environment: process.env['STRATA_SAMPLE_ENVIRONMENT'] ?? 'production', location: 'production', component, address: `${host}:${port}`, version });
  // Heartbeats change the version map: the registry wants an operator's bearer token (STRATA_TOKEN).
  const token = process.env['STRATA_TOKEN'];
  const headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  let lastProblem = '';
  const beat = (): void => {
    fetch(new URL('/v1/nodes/heartbeat', registry), { method: 'POST', headers, body, signal: AbortSignal.timeout(intervalMs) })
      .then(async (response) => (response.ok ? '' : `heartbeat refused: ${response.status} ${await response.text()}`))
      .catch((error: unknown) => `heartbeat failed: ${String(error)}`)
      .then((problem) => {
        if (problem !== lastProblem && problem !== '') {
          process.stderr.write(`${problem}\n`);
        }
        lastProblem = problem;
      });
  };
  beat();
  setInterval(beat, intervalMs).unref();
}

server.on('listening', () => startHeartbeats((server.address() as AddressInfo).port));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
    upgraded.forEach((socket) => socket.destroy());
  });
}
