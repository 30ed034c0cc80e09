/*
 * Bench-only entry (`npm run bench:gateway -- --floor`): the least a proxy on the gateway's stack
 * can do. A node:http server whose handler dispatches each request to one of two undici Pools
 * (v2 for 10 % of requests, as the bench's routing config) and relays status, headers and body:
 * no routing policy, guard, stats, retries, mirroring, or requests with a body. What the gateway costs above
 * this is Strata's own; what this costs against nginx is node:http's and undici's.
 * Environment: BENCH_V1_URL, BENCH_V2_URL. Prints `{"listening":true,"port":…}` once it serves.
 */
import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Dispatcher, Pool } from 'undici';
import { requiredEnv } from './required-env';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);

/** Relays one upstream answer to the caller, as the gateway's UpstreamResponseHandler does, minus its bookkeeping. */
class Relay implements Dispatcher.DispatchHandler {
  constructor(private readonly response: ServerResponse) {}

  onConnect(): void {
    // undici requires it; the floor never aborts an exchange.
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    const headers: string[] = [];
    for (let index = 0; index < rawHeaders.length; index += 2) {
      const name = rawHeaders[index]!.toString('latin1');
      if (!HOP_BY_HOP.has(name.toLowerCase())) {
        headers.push(name, rawHeaders[index + 1]!.toString('latin1'));
      }
    }
    this.response.writeHead(statusCode, headers);
    return true;
  }

  onData(chunk: Buffer): boolean {
    return this.response.write(chunk);
  }

  onComplete(): void {
    this.response.end();
  }

  onError(): void {
    if (this.response.headersSent) {
      this.response.destroy();
    } else {
      this.response.writeHead(502).end();
    }
  }
}

const pools = [new Pool(requiredEnv('BENCH_V1_URL')), new Pool(requiredEnv('BENCH_V2_URL'))] as const;
const server = createServer((request: IncomingMessage, response: ServerResponse) => {
  const pool = Math.random() < 0.1 ? pools[1] : pools[0];
  const headers: string[] = [];
  const raw = request.rawHeaders;
  for (let index = 0; index < raw.length; index += 2) {
    if (!HOP_BY_HOP.has(raw[index]!.toLowerCase())) {
      headers.push(raw[index]!, raw[index + 1]!);
    }
  }
  pool.dispatch({ path: request.url as string, method: request.method as string, headers, body: null }, new Relay(response));
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ listening: true, port: (server.address() as AddressInfo).port })}\n`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
