import { Clock } from './clock';
import { ConnectionOwner, UpstreamCall, UpstreamConnection, UpstreamHandler, UpstreamRequest } from './upstream-connection';

/** How the gateway's connections to one backend origin are kept, like nginx's `upstream { keepalive }`. */
export interface UpstreamPoolSettings {
  /** Connections per origin at most; requests beyond them wait for one to be free. */
  connections: number;
  /** How long an idle pooled connection is kept open for the next request. */
  keepAliveTimeoutMs: number;
  /** How long the gateway waits for a backend's response headers. */
  headersTimeoutMs: number;
}

export const DEFAULT_UPSTREAM_POOL_SETTINGS: UpstreamPoolSettings = {
  connections: 256,
  keepAliveTimeoutMs: 30_000,
  headersTimeoutMs: 30_000,
};

/** How often idle connections and answers overdue are looked for: timeouts hold to within it. */
const SWEEP_MS = 1_000;

/**
 * The keep-alive connections of the request path to one backend origin: idle ones reused most
 * recently used first (so those the backend may close for idleness sink to the bottom and are
 * swept), at most `connections` open, requests beyond them queued in order. One sweep timer per
 * origin closes connections idle past `keepAliveTimeoutMs` and fails exchanges whose answer has
 * not begun within `headersTimeoutMs`, instead of a timer per request.
 */
export class UpstreamConnections implements ConnectionOwner {
  private readonly idle: UpstreamConnection[] = [];
  private readonly busy = new Set<UpstreamConnection>();
  private readonly queue: UpstreamCall[] = [];
  private readonly host: string;
  private readonly port: number;
  private readonly authority: string;
  private sweeper: NodeJS.Timeout | undefined;
  private closing = false;
  private readonly cancel = (call: UpstreamCall): void => {
    const index = this.queue.indexOf(call);
    if (index !== -1) this.queue.splice(index, 1);
  };

  constructor(
    origin: string,
    private readonly settings: UpstreamPoolSettings,
    readonly clock: Clock,
  ) {
    const url = new URL(origin);
    if (url.protocol !== 'http:') {
      throw new Error(`backend origin ${origin}: only http: is served`);
    }
    this.host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    this.port = Number(url.port || 80);
    this.authority = url.host;
  }

  /** Sends `request`; `handler` hears the answer (its `onConnect` first, with the call to abort it by). */
  dispatch(request: UpstreamRequest, handler: UpstreamHandler): void {
    const call = new UpstreamCall(request, handler, this.cancel);
    handler.onConnect(call);
    if (!call.done) {
      this.send(call);
    }
  }

  /** Connections open now (idle and busy). */
  get size(): number {
    return this.idle.length + this.busy.size;
  }

  release(connection: UpstreamConnection): void {
    this.busy.delete(connection);
    const next = this.queue.shift();
    if (next) {
      this.busy.add(connection);
      connection.start(next);
    } else if (this.closing) {
      connection.close();
    } else {
      this.idle.push(connection);
    }
  }

  closed(connection: UpstreamConnection, retry: UpstreamCall | undefined): void {
    if (!this.busy.delete(connection)) {
      const index = this.idle.indexOf(connection);
      if (index !== -1) this.idle.splice(index, 1);
    }
    if (retry) {
      this.queue.unshift(retry);
    }
    const next = this.queue.shift();
    if (next) {
      this.send(next);
    } else if (this.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  /** Gracefully: no new request is taken, idle connections close now, busy ones when their exchange ends. */
  close(): void {
    this.closing = true;
    for (const connection of this.idle.splice(0)) connection.close();
  }

  /** Now: every connection closed, exchanges in flight and queued failed. */
  destroy(): void {
    this.close();
    for (const call of this.queue.splice(0)) call.abort(new Error('the pool of this backend was destroyed'));
    for (const connection of [...this.busy]) connection.fail(new Error('the pool of this backend was destroyed'));
  }

  private send(call: UpstreamCall): void {
    if (this.closing) {
      call.abort(new Error('the pool of this backend is closed'));
      return;
    }
    let connection = this.idle.pop();
    while (connection?.closed) connection = this.idle.pop();
    if (!connection) {
      if (this.busy.size >= this.settings.connections) {
        this.queue.push(call);
        return;
      }
      connection = new UpstreamConnection(this, this.host, this.port, this.authority);
      this.sweeper ??= setInterval(() => this.sweep(), SWEEP_MS).unref();
    }
    this.busy.add(connection);
    connection.start(call);
  }

  private sweep(): void {
    const now = this.clock.monotonic();
    while (this.idle.length > 0 && now - this.idle[0].since > this.settings.keepAliveTimeoutMs) {
      (this.idle.shift() as UpstreamConnection).close();
    }
    for (const connection of this.busy) {
      if (connection.awaitingHead && now - connection.since > this.settings.headersTimeoutMs) {
        connection.fail(new Error(`the backend sent no answer within ${this.settings.headersTimeoutMs} ms`));
      }
    }
  }
}
