import { IncomingMessage, STATUS_CODES, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Dispatcher } from 'undici';
import { RETRIED_FROM_HEADER, STACK_CONFIG_HEADER, VERSION_HEADER } from './gateway-headers';

/**
 * Response headers never copied to the caller, by length: hop-by-hop (RFC 9110 §7.6.1; node:http
 * frames the body itself) and the gateway's own, which it sets on its answers. A name of another
 * length is neither, and costs no lower-casing.
 */
const NOT_RELAYED_BY_LENGTH = new Map<number, readonly string[]>();
for (const name of ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', STACK_CONFIG_HEADER, RETRIED_FROM_HEADER]) {
  NOT_RELAYED_BY_LENGTH.set(name.length, [...(NOT_RELAYED_BY_LENGTH.get(name.length) ?? []), name]);
}

/** Whether a response header (its name lower-cased) is hop-by-hop or the gateway's own: never copied to the caller. */
export function isNotRelayed(lowerCaseName: string): boolean {
  return NOT_RELAYED_BY_LENGTH.get(lowerCaseName.length)?.includes(lowerCaseName) ?? false;
}

/** The exchange relaying to a caller's connection now, if any; set on the socket, one listener per connection. */
const RELAYING = Symbol('strata:relaying');
type CallerSocket = Socket & { [RELAYING]?: UpstreamResponseHandler };

/** A caller's connection closed: the exchange relaying to it, if any, aborts its upstream request. */
function onCallerSocketClosed(this: CallerSocket): void {
  this[RELAYING]?.callerClosed();
}

/** Watches a caller's connection for the whole of its life (the listener's `connection` event), not per request. */
export function watchCallerConnection(socket: Socket): void {
  // Once per socket: a connection handed to node:http again (a declined h2c upgrade) is watched already.
  if (!socket.listeners('close').includes(onCallerSocketClosed)) {
    socket.once('close', onCallerSocketClosed);
  }
}

/** What the gateway decides and learns during one upstream exchange. */
export interface UpstreamExchangeListener {
  /**
   * The upstream answered with this status; `reportedVersion` is its version header. Returns
   * whether the answer goes to the caller; false discards its body (a retry elsewhere follows).
   */
  onResponseHead(statusCode: number, reportedVersion: string | undefined): boolean;
  /**
   * The exchange is over: `error` undefined once the body was relayed (or discarded) whole;
   * `statusCode` 0 when the upstream never answered; `callerGone` when the caller's connection
   * closed first (the upstream request was aborted for it).
   */
  onEnd(statusCode: number, error: Error | undefined, callerGone: boolean): void;
  /** A chunk of the body relayed to the caller; only an exchange whose answer is compared with a mirrored copy's has it. */
  readonly onRelayedData?: (chunk: Buffer) => void;
}

/**
 * Relays one upstream response to the caller through undici's dispatcher handler interface: raw
 * header buffers in, a flat header list to `writeHead`, body chunks written as they come with
 * backpressure both ways. No stream pipeline, header object, promise or listener per request, which
 * is where `Pool.stream` spent a good part of the gateway's CPU. If the caller goes away, the
 * upstream request is aborted so a long response does not keep a pooled connection busy: the
 * connection's one close listener (watchCallerConnection) finds the exchange on its socket.
 */
export class UpstreamResponseHandler implements Dispatcher.DispatchHandler {
  /** The upstream's status; 0 until it answered. */
  statusCode = 0;
  private abortUpstream: ((error?: Error) => void) | undefined;
  private resumeUpstream: (() => void) | undefined;
  private relaying = false;
  private ended = false;
  private callerGone = false;
  /** The caller's connection, while this exchange is the one relaying to it. */
  private readonly socket: CallerSocket | undefined;

  constructor(
    private readonly response: ServerResponse,
    private readonly listener: UpstreamExchangeListener,
    /** The gateway's own headers on the answer (`[name, value, …]`), precomputed per stack config. */
    private readonly extraHeaders: readonly string[],
  ) {
    const socket = response.socket as CallerSocket | null;
    if (socket && socket[RELAYING] === undefined) {
      socket[RELAYING] = this;
      this.socket = socket;
    } else {
      // A pipelined request whose response waits behind another's: rare enough for a listener of its own.
      response.once('close', () => this.callerClosed());
    }
  }

  onConnect(abort: (error?: Error) => void): void {
    this.abortUpstream = abort;
    if (this.response.destroyed) {
      abort(new Error('the caller closed the connection')); // gone while the request waited for a connection
    }
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) {
      return true; // informational: the final answer follows
    }
    this.statusCode = statusCode;
    this.resumeUpstream = resume;
    const headers: string[] = [];
    let reportedVersion: string | undefined;
    for (let index = 0; index < rawHeaders.length; index += 2) {
      const name = rawHeaders[index].toString('latin1');
      const candidates = NOT_RELAYED_BY_LENGTH.get(name.length);
      const lower = candidates || name.length === VERSION_HEADER.length ? name.toLowerCase() : name;
      if (candidates?.includes(lower)) {
        continue;
      }
      const value = rawHeaders[index + 1].toString('latin1');
      if (lower === VERSION_HEADER) {
        reportedVersion = value;
      }
      headers.push(name, value);
    }
    this.relaying = this.listener.onResponseHead(statusCode, reportedVersion);
    if (this.relaying && !this.response.destroyed) {
      for (const header of this.extraHeaders) {
        headers.push(header);
      }
      this.response.writeHead(statusCode, headers);
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (!this.relaying || this.response.destroyed) {
      return true;
    }
    this.listener.onRelayedData?.(chunk);
    if (this.response.write(chunk)) {
      return true;
    }
    this.response.once('drain', () => this.resumeUpstream?.());
    return false;
  }

  onComplete(): void {
    if (this.relaying) {
      this.response.end();
    }
    this.end(undefined);
  }

  onError(error: Error): void {
    this.end(error);
  }

  private end(error: Error | undefined): void {
    if (this.ended) {
      return;
    }
    this.ended = true;
    if (this.socket) {
      this.socket[RELAYING] = undefined;
    }
    this.listener.onEnd(this.statusCode, error, this.callerGone);
  }

  /** The caller's connection closed while this exchange was relaying to it. */
  callerClosed(): void {
    if (!this.ended && !this.response.writableFinished) {
      this.callerGone = true;
      this.abortUpstream?.(new Error('the caller closed the connection'));
    }
  }
}

/**
 * The head of an upgrade's answer (node:http client's `upgrade` or `response`) as bytes for a
 * connection node:http handed over. A 101 keeps the backend's Connection and Upgrade (they are
 * the handshake); another answer loses its hop-by-hop headers, as on the request path,
 * and closes the connection (its body, decoded by node:http, is then framed by the close when it
 * has no Content-Length). The gateway's own headers replace any the backend sent.
 */
export function rawAnswerHead(answer: IncomingMessage, final: boolean, ownHeaders: readonly string[]): Buffer {
  const status = answer.statusCode ?? 502;
  let head = `HTTP/1.1 ${status} ${answer.statusMessage || STATUS_CODES[status] || ''}\r\n`;
  const raw = answer.rawHeaders;
  for (let index = 0; index < raw.length; index += 2) {
    const lower = raw[index].toLowerCase();
    if (lower === STACK_CONFIG_HEADER || lower === RETRIED_FROM_HEADER || (final && isNotRelayed(lower))) {
      continue;
    }
    head += `${raw[index]}: ${raw[index + 1]}\r\n`;
  }
  for (let index = 0; index < ownHeaders.length; index += 2) {
    head += `${ownHeaders[index]}: ${ownHeaders[index + 1]}\r\n`;
  }
  // node:http read the header bytes as latin1: written back the same way, they are the bytes received.
  return Buffer.from(`${head}${final ? 'connection: close\r\n' : ''}\r\n`, 'latin1');
}

/** The version a backend reports on an answer (`x-strata-version`). */
export function reportedVersionOf(answer: IncomingMessage): string | undefined {
  const value = answer.headers[VERSION_HEADER];
  return typeof value === 'string' ? value : undefined;
}
