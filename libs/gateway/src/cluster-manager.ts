import { Pool } from 'undici';

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

/**
 * The cluster manager: one keep-alive connection pool per backend origin, shared by every stack
 * config (and every routing config version) that names it, so a new routing config reuses the warm
 * connections of the one it replaces. A pool no config uses any more is closed gracefully: the
 * requests in flight on the old config finish first.
 */
export class ClusterManager {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly settings: UpstreamPoolSettings = DEFAULT_UPSTREAM_POOL_SETTINGS) {}

  /** The pool of an origin, opened on first use. */
  poolFor(url: string): Pool {
    let pool = this.pools.get(url);
    if (!pool) {
      // pipelining 1: a slow response must never hold up the next request behind it.
      pool = new Pool(url, {
        connections: this.settings.connections,
        pipelining: 1,
        keepAliveTimeout: this.settings.keepAliveTimeoutMs,
        headersTimeout: this.settings.headersTimeoutMs,
        bodyTimeout: 0,
      });
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
