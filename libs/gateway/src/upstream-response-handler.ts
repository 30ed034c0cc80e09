import { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { RETRIED_FROM_HEADER, STACK_CONFIG_HEADER, VERSION_HEADER } from './gateway-headers';

/** Response headers never copied to the caller: hop-by-hop (RFC 9110 §7.6.1); node:http frames the body itself. */
const RESPONSE_HEADERS_NOT_FORWARDED = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);
/** The gateway's own headers: it sets them on its answers, replacing any the upstream sent. */
const GATEWAY_HEADERS = new Set([STACK_CONFIG_HEADER, RETRIED_FROM_HEADER]);

/** What the gateway decides and learns during one upstream exchange. */
export interface UpstreamExchangeListener {
  /**
   * The upstream answered with this status; `reportedVersion` is its version header. Returns
   * whether the answer goes to the caller; false discards its body (a retry elsewhere follows).
   */
  onResponseHead(statusCode: number, reportedVersion: string | undefined): boolean;
  /**
   * The exchange is over: `error` undefined once the body was relayed (or discarded) whole;
   * `statusCode` 0 when the upstream never answered.
   */
  onEnd(statusCode: number, error: Error | undefined): void;
}

/**
 * Relays one upstream response to the caller through undici's dispatcher handler interface: raw
 * header buffers in, a flat header list to `writeHead`, body chunks written as they come with
 * backpressure both ways. No stream pipeline, header object or promise per request, which is where
 * `Pool.stream` spent a good part of the gateway's CPU. If the caller goes away, the upstream
 * request is aborted so a long response does not keep a pooled connection busy.
 */
export class UpstreamResponseHandler implements Dispatcher.DispatchHandler {
  /** The upstream's status; 0 until it answered. */
  statusCode = 0;
  private abortUpstream: ((error?: Error) => void) | undefined;
  private resumeUpstream: (() => void) | undefined;
  private relaying = false;
  private ended = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly listener: UpstreamExchangeListener,
    /** The gateway's own headers on the answer (`[name, value, …]`), precomputed per stack config. */
    private readonly extraHeaders: readonly string[],
  ) {
    response.once('close', this.onCallerClosed);
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
      const lower = name.toLowerCase();
      if (RESPONSE_HEADERS_NOT_FORWARDED.has(lower) || GATEWAY_HEADERS.has(lower)) {
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
    this.response.off('close', this.onCallerClosed);
    this.listener.onEnd(this.statusCode, error);
  }

  private readonly onCallerClosed = (): void => {
    if (!this.response.writableFinished) {
      this.abortUpstream?.(new Error('the caller closed the connection'));
    }
  };
}
