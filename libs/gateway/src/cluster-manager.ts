import { Dispatcher, Pool } from 'undici';
import { Clock, systemClock } from './clock';
import { DEFAULT_UPSTREAM_POOL_SETTINGS, UpstreamConnections, UpstreamPoolSettings } from './upstream-connections';
import { UpstreamHandler, UpstreamRequest } from './upstream-connection';

export { DEFAULT_UPSTREAM_POOL_SETTINGS, type UpstreamPoolSettings } from './upstream-connections';

/**
 * The connections to one backend origin. The request path's exchanges go through the gateway's
 * own lean HTTP/1.1 client (`UpstreamConnections`: raw sockets, one head string per request, a
 * small response parser), which costs a fraction of undici's CPU per request; health probes and
 * mirrored copies, which read whole bodies off the request path, keep an undici pool.
 */
export class UpstreamOrigin {
  readonly connections: UpstreamConnections;
  private readonly pool: Pool;
  private state: 'open' | 'closed' | 'destroyed' = 'open';

  constructor(url: string, settings: UpstreamPoolSettings = DEFAULT_UPSTREAM_POOL_SETTINGS, clock: Clock = systemClock) {
    this.connections = new UpstreamConnections(url, settings, clock);
    // pipelining 1: a slow response must never hold up the next request behind it.
    this.pool = new Pool(url, {
      connections: settings.connections,
      pipelining: 1,
      keepAliveTimeout: settings.keepAliveTimeoutMs,
      headersTimeout: settings.headersTimeoutMs,
      bodyTimeout: 0,
    });
  }

  /** One exchange of the request path, relayed by `handler`. */
  dispatch(request: UpstreamRequest, handler: UpstreamHandler): void {
    this.connections.dispatch(request, handler);
  }

  /** A whole request off the request path (probe, mirrored copy), through undici. */
  request(options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
    return this.pool.request(options);
  }

  get closed(): boolean {
    return this.state !== 'open';
  }

  get destroyed(): boolean {
    return this.state === 'destroyed';
  }

  /** Gracefully: requests in flight finish first. */
  async close(): Promise<void> {
    this.state = 'closed';
    this.connections.close();
    await this.pool.close();
  }

  async destroy(): Promise<void> {
    this.state = 'destroyed';
    this.connections.destroy();
    await this.pool.destroy();
  }
}

/**
 * The cluster manager: one keep-alive connection pool per backend origin, shared by every stack
 * config (and every routing config version) that names it, so a new routing config reuses the warm
 * connections of the one it replaces. A pool no config uses any more is closed gracefully: the
 * requests in flight on the old config finish first.
 */
export class ClusterManager {
  private readonly pools = new Map<string, UpstreamOrigin>();

  constructor(
    private readonly settings: UpstreamPoolSettings = DEFAULT_UPSTREAM_POOL_SETTINGS,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The pool of an origin, opened on first use. */
  poolFor(url: string): UpstreamOrigin {
    let pool = this.pools.get(url);
    if (!pool) {
      pool = new UpstreamOrigin(url, this.settings, this.clock);
      this.pools.set(url, pool);
    }
    return pool;
  }

  /** Closes, gracefully, the pools of every origin not in `origins`. */
  retainOnly(origins: Iterable<string>): void {
    const kept = new Set(origins);
    for (const [url, pool] of this.pools) {
      if (!kept.has(url)) {
        this.pools.delete(url);
        void pool.close().catch(() => undefined);
      }
    }
  }

  get origins(): string[] {
    return [...this.pools.keys()];
  }

  /** On stop: every connection closed now, requests in flight aborted. */
  async destroy(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.destroy()));
  }
}
