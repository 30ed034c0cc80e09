import { IncomingMessage, STATUS_CODES, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { PROBLEM_CONTENT_TYPE, ProblemDetails, problem } from '@strata/observability';

/** How long a client may take, and stay idle, on one connection of a gateway listener. */
export interface ConnectionLimits {
  /** From the connection's (or the next request's) first byte to the end of its headers. */
  headersTimeoutMs: number;
  /** From the same start to the end of the request body; at least `headersTimeoutMs`. */
  requestTimeoutMs: number;
  /**
   * How long a keep-alive connection may stay idle between requests, as advertised to clients in
   * `Keep-Alive: timeout`; node closes it a second later, so a client honouring it never races the close.
   */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  // Longer than the 60 s idle timeout of common load balancers, so one in front closes first.
  keepAliveTimeoutMs: 65_000,
};

/** Why a connection was answered and closed by the listener itself, before any request handler. */
export type ConnectionRefusal = 'request-timeout' | 'headers-too-large' | 'malformed-request' | 'invalid-request-target';

type ServerResponseOnSocket = Socket & { _httpMessage?: ServerResponse | null };

/**
 * A node:http server hardened for the edge: headers and request timeouts that node checks every
 * `connectionsCheckingInterval` (30 s by default, which is how a slowloris kept connections open
 * well past any timeout), so a connection that trickles its headers is closed within
 * `headersTimeoutMs` plus at most a tenth of it (never more than 1 s). Whatever node refuses
 * itself (a timeout, a malformed request, CONNECT's authority-form target) is answered in
 * problem+json like every other refusal, then the connection is closed.
 */
export function createListener(
  limits: ConnectionLimits,
  handler: (request: IncomingMessage, response: ServerResponse) => void,
  onRefused: (refusal: ConnectionRefusal) => void,
  onUpgrade?: (request: IncomingMessage, socket: Duplex, head: Buffer) => void,
): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 10))),
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // The guard answers a missing Host in problem+json; node's own check would answer a bare 400.
      requireHostHeader: false,
    },
    handler,
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  if (onUpgrade) {
    // With a listener, node hands every request carrying `Upgrade` over here with its connection.
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) =>
      whenNoAnswerInFlight(socket, () => {
        if (asksForH2c(request)) {
          replayWithoutUpgrade(server, request, socket, head);
        } else {
          onUpgrade(request, socket, head);
        }
      }),
    );
  }
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = (socket as ServerResponseOnSocket)._httpMessage;
    // Writing into a response already under way would corrupt it; then only closing is left.
    if (!socket.writable || inFlight?.headersSent || error.code === 'ECONNRESET' || error.code === 'EPIPE') {
      socket.destroy();
      return;
    }
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      onRefused('request-timeout');
      answerAndClose(socket, 408, 'request-timeout', `the request was not received within ${limits.headersTimeoutMs} ms (headers) or ${limits.requestTimeoutMs} ms (whole request)`);
    } else if (error.code === 'HPE_HEADER_OVERFLOW') {
      onRefused('headers-too-large');
      answerAndClose(socket, 431, 'headers-too-large', 'the request headers are larger than this gateway accepts');
    } else {
      onRefused('malformed-request');
      answerAndClose(socket, 400, 'malformed-request', `the request is not valid HTTP/1.1 (${error.code ?? 'parse error'})`);
    }
  });
  // CONNECT carries an authority-form target; without a listener node would drop the connection unanswered.
  server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    onRefused('invalid-request-target');
    answerAndClose(socket, 400, 'invalid-request-target', 'the request target is authority-form (CONNECT): this gateway is no forward proxy and serves only origin-form targets');
  });
  return server;
}

/**
 * Node hands an upgrade over as soon as it parses it, even when it was pipelined behind requests
 * whose answers are still being written on the connection. Those answers go first: a 101 or a
 * replayed request written before them would reorder the connection (and a replay's new parser
 * would queue its answer behind one it never learns has finished, so it would never be sent).
 */
function whenNoAnswerInFlight(socket: Duplex, then: () => void): void {
  const inFlight = (socket as ServerResponseOnSocket)._httpMessage;
  if (!inFlight) {
    then();
    return;
  }
  // node's own 'finish' listener runs first and hands the connection to the next queued answer, if any.
  const onFinish = (): void => {
    socket.off('close', onClose);
    whenNoAnswerInFlight(socket, then);
  };
  const onClose = (): void => {
    inFlight.off('finish', onFinish);
  };
  inFlight.once('finish', onFinish);
  socket.once('close', onClose);
}

/** `Upgrade: h2c` (HTTP/2 over cleartext, RFC 7540 §3.2): what curl --http2 and Java's HttpClient send on http:// URLs. */
function asksForH2c(request: IncomingMessage): boolean {
  return (request.headers.upgrade ?? '').split(',').some((protocol) => protocol.trim().toLowerCase() === 'h2c');
}

/**
 * The gateway speaks HTTP/1.1 to its callers, so it declines an h2c upgrade, as RFC 7540 lets a
 * server do (and nginx does), by answering the request in HTTP/1.1: the request is put back on its
 * connection without `Upgrade`, `HTTP2-Settings` and their `Connection` tokens, and the connection
 * handed to node:http again (emitting `connection` is node's documented way to inject one), so it
 * is parsed and served as any request, body and keep-alive included.
 */
function replayWithoutUpgrade(server: Server, request: IncomingMessage, socket: Duplex, head: Buffer): void {
  let text = `${request.method} ${request.url} HTTP/${request.httpVersion}\r\n`;
  const raw = request.rawHeaders;
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index].toLowerCase();
    if (name === 'upgrade' || name === 'http2-settings') {
      continue;
    }
    const value = name === 'connection' ? raw[index + 1].split(',').filter((token) => !['upgrade', 'http2-settings'].includes(token.trim().toLowerCase())).join(',') : raw[index + 1];
    if (value.trim() !== '') {
      text += `${raw[index]}: ${value}\r\n`;
    }
  }
  socket.unshift(Buffer.concat([Buffer.from(`${text}\r\n`, 'latin1'), head]));
  server.emit('connection', socket);
}

/** Listens and resolves with the port bound (port 0: a free one). */
export async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

export async function close(server: Server): Promise<void> {
  if (!server.listening) {
    return;
  }
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Answers in problem+json on a connection no node:http response owns (a refusal before any request, an upgrade's), then closes it. */
export function answerAndClose(socket: Duplex, status: number, slug: string, detail: string, extra: Partial<ProblemDetails> = {}): void {
  const reason = STATUS_CODES[status] ?? '';
  const body = JSON.stringify(problem(status, slug, detail, { title: reason, ...extra }));
  const head = `HTTP/1.1 ${status} ${reason}\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n`;
  socket.end(head + body, () => socket.destroy());
  // A client that never reads could keep the answer unflushed, and the connection open, forever.
  setTimeout(() => socket.destroy(), 1_000).unref();
}
