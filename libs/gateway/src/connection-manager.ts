import { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { DomainViolation, NO_STACK_CONFIG } from '@strata/domain';
import { Logger, PROBLEM_CONTENT_TYPE, problem } from '@strata/observability';
import { CompiledRoutingPolicy, UpstreamNode } from './compiled-routing-policy';
import { Clock } from './clock';
import { answerAndClose } from './http-listener';
import { MirroredBodies, mirrorRequest } from './mirrored-bodies';
import { OutlierDetector } from './outlier-detector';
import { RequestHeaders } from './request-headers';
import { RequestOutcome, RequestOutcomes } from './request-outcomes';
import { HostSelector, Refusal, RequestRouter, RoutedHost } from './request-router';
import { outcomeOfStatus } from './traffic-stats';
import { UpgradeTunnels } from './upgrade-tunnels';
import { UpstreamExchangeListener, UpstreamResponseHandler } from './upstream-response-handler';
import { VersionDiscovery } from './version-discovery';

/** The parts the request path reports to. */
export interface RequestPathParts {
  clock: Clock;
  outcomes: RequestOutcomes;
  outliers: OutlierDetector;
  versions: VersionDiscovery;
  /** Which stack and environment a request is for (VirtualHostTable). */
  hosts: HostSelector;
  /** Where upgraded connections (WebSocket) are tunnelled. */
  tunnels: UpgradeTunnels;
  logger: Logger;
}

/**
 * The HTTP connection manager: the whole request path, top to bottom.
 *
 *   handle   route (RequestRouter: guard → virtual host → routing served? → network policy →
 *            routes → weighted pick of a stack config → P2C pick of a node) → mirror a copy? → forward
 *   forward  one upstream exchange, relayed to the caller by UpstreamResponseHandler
 *   settle   the exchange is over: stats, outlier outcome, and for an idempotent request that
 *            failed on a canary, one retry on the stable config within the retry budget
 *   refuse   every answer the gateway gives itself, in problem+json
 *   upgrade  a request to switch protocols (WebSocket): routed the same way, then tunnelled to
 *            its node for the connection's life (UpgradeTunnels), never retried or mirrored
 *
 * Nothing here is allocated per request that could be built when the config changes: the answer
 * headers are precomputed per stack config, outcomes are counted in a typed array, the request
 * view is one reused object, and each exchange is one object (its own listener, no closures).
 */
export class ConnectionManager {
  private readonly headers = new RequestHeaders();
  private readonly router: RequestRouter;

  constructor(private readonly parts: RequestPathParts) {
    this.router = new RequestRouter(parts.hosts);
  }

  readonly handle = (request: IncomingMessage, response: ServerResponse): void => {
    const route = this.router.route(request);
    if (route instanceof Refusal) {
      if (route.closeConnection) {
        response.setHeader('connection', 'close');
      }
      this.refuse(request, response, route.status, route.slug, route.detail, route.errors);
      return;
    }
    const { routing, stackConfigIndex, node } = route;
    routing.retryBudget.recordRequest();
    const { forwarded: headers, hasBody, hasIdempotencyKey } = this.headers.scan(request.rawHeaders);
    const method = request.method;
    // A streamed body cannot be sent twice, so only bodiless idempotent requests are retried.
    const retryable = !hasBody && stackConfigIndex !== routing.router.stableIndex && (method === 'GET' || method === 'HEAD' || hasIdempotencyKey);
    const exchange = new Exchange(this, routing, request, response, headers, hasBody, retryable, stackConfigIndex, node, routing.answerHeaders[stackConfigIndex]);
    if (!hasBody && routing.router.mirrorIndex !== NO_STACK_CONFIG && routing.router.shouldMirror(routing.draw())) {
      exchange.setMirroredBodies(mirrorRequest(routing, request, headers, this.parts.clock));
    }
    this.forward(exchange);
  };

  /**
   * A request asking to switch protocols (node:http's `upgrade` event; a WebSocket handshake):
   * routed as any request, then tunnelled to the chosen node (UpgradeTunnels), never retried or
   * mirrored. Refusals are written on the connection node:http handed over, which then closes.
   */
  readonly upgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const { forwarded, hasBody } = this.headers.scan(request.rawHeaders);
    const route = hasBody ? UPGRADE_WITH_BODY : this.router.route(request);
    if (route instanceof Refusal) {
      this.parts.outcomes.count(route.slug);
      answerAndClose(socket, route.status, route.slug, route.detail, { instance: request.url, ...(route.errors ? { errors: route.errors } : {}) });
      return;
    }
    const { host, routing, stackConfigIndex, node } = route;
    const stackConfig = routing.router.names[stackConfigIndex];
    const exchange = new UpgradeExchange(this, host, routing, request, socket, node, stackConfig, this.parts.clock.monotonic());
    node.outstanding++;
    this.parts.tunnels.open({ request, socket, head, headers: forwarded, owner: host, stackConfig, node, answerHeaders: routing.answerHeaders[stackConfigIndex] }, exchange);
  };

  /**
   * Closes the tunnels of `host` that its new routing would not open now: their stack config no
   * longer takes new requests on their node (routesToNode), or the network policy or the routes no
   * longer admit their request. Their clients reconnect and are routed afresh.
   */
  retainTunnels(host: RoutedHost, routing: CompiledRoutingPolicy): number {
    return this.parts.tunnels.retain(host, ({ request, stackConfig, node }) => this.router.stillRoutes(routing, request, stackConfig, node));
  }

  private forward(exchange: Exchange): void {
    const { node, request } = exchange;
    node.outstanding++;
    exchange.startedAt = this.parts.clock.monotonic();
    node.pool.dispatch({ path: request.url as string, method: request.method as string, headers: exchange.headers, body: exchange.hasBody ? request : null }, new UpstreamResponseHandler(exchange.response, exchange, exchange.answerHeaders));
  }

  /** The upstream's status is known: true relays its answer, false discards it for a retry on stable. */
  responseHead(exchange: Exchange, statusCode: number, reportedVersion: string | undefined): boolean {
    this.observeVersion(exchange.routing, exchange.node, reportedVersion);
    exchange.retryOnStable = statusCode >= 500 && exchange.retryable && exchange.routing.retryBudget.tryAcquire(this.parts.clock.now());
    return !exchange.retryOnStable;
  }

  observeVersion(routing: CompiledRoutingPolicy, node: UpstreamNode, reportedVersion: string | undefined): void {
    this.parts.versions.observe(routing, node, reportedVersion, 'response-header');
  }

  /** Whether the routing its host serves now (installed, maybe, during the handshake) still routes an upgrade where it went. */
  stillRoutes({ host, routing, request, stackConfig, node }: UpgradeExchange): boolean {
    const current = host.routing;
    return current === routing || (current !== undefined && this.router.stillRoutes(current, request, stackConfig, node));
  }

  settle(exchange: Exchange, statusCode: number, error: Error | undefined, callerGone: boolean): void {
    const { routing, node, response } = exchange;
    if (exchange.hasBody && !exchange.request.complete) {
      discardRestOfBody(exchange.request, response);
    }
    const end = this.recordEnd(routing, node, exchange.startedAt, statusCode, error, callerGone || (response.destroyed && !response.writableFinished));
    if (end === 'answered') {
      if (exchange.retryOnStable) {
        this.retryOnStable(exchange);
      } else {
        this.parts.outcomes.count('forwarded');
      }
      return;
    }
    if (end === 'caller-gone') {
      return;
    }
    if (response.headersSent) {
      response.destroy();
      return;
    }
    if (statusCode === 0 && exchange.retryable && routing.retryBudget.tryAcquire(this.parts.clock.now())) {
      this.retryOnStable(exchange);
      return;
    }
    this.parts.logger.debug('upstream failed', { node: node.id, error: String(error) });
    this.refuse(exchange.request, response, 502, 'upstream-failed', `the backend node ${node.id} of stack config ${routing.router.names[exchange.stackConfigIndex]} failed to answer`);
  }

  /** An upgrade's handshake is over: switched (the tunnel is open), declined (answer relayed) or failed. */
  settleUpgrade(exchange: UpgradeExchange, statusCode: number, error: Error | undefined, callerGone: boolean): void {
    const { routing, node, socket, request } = exchange;
    const end = this.recordEnd(routing, node, exchange.startedAt, statusCode, error, callerGone);
    if (end === 'answered') {
      this.parts.outcomes.count('forwarded');
    } else if (end === 'backend-failed' && statusCode === 0) {
      this.parts.logger.debug('upstream failed an upgrade', { node: node.id, error: String(error) });
      this.parts.outcomes.count('upstream-failed');
      answerAndClose(socket, 502, 'upstream-failed', `the backend node ${node.id} failed to answer the upgrade request`, { instance: request.url });
    }
  }

  /** An exchange ended: the node's stats and outlier outcome, or a caller that left (not the backend's fault). */
  private recordEnd(routing: CompiledRoutingPolicy, node: UpstreamNode, startedAt: number, statusCode: number, error: Error | undefined, callerGone: boolean): 'answered' | 'caller-gone' | 'backend-failed' {
    node.outstanding--;
    const latencyMs = this.parts.clock.monotonic() - startedAt;
    if (error === undefined) {
      node.stats.record(outcomeOfStatus(statusCode), latencyMs);
      this.parts.outliers.record(routing, node, statusCode < 500);
      return 'answered';
    }
    if (callerGone) {
      this.parts.outcomes.count('caller-aborted');
      return 'caller-gone';
    }
    node.stats.record(statusCode === 0 ? 'connect-error' : 'server-error', latencyMs);
    this.parts.outliers.record(routing, node, false);
    return 'backend-failed';
  }

  private retryOnStable(failed: Exchange): void {
    const { routing, request, response } = failed;
    const stableIndex = routing.router.stableIndex;
    const node = routing.pickNode(stableIndex);
    this.parts.outcomes.count('retried-on-stable');
    if (!node) {
      this.refuse(request, response, 502, 'upstream-failed', `stack config ${routing.router.names[failed.stackConfigIndex]} failed and the stable config has no healthy node`);
      return;
    }
    this.forward(new Exchange(this, routing, request, response, failed.headers, false, false, stableIndex, node, routing.retriedHeaders[failed.stackConfigIndex]));
  }

  private refuse(request: IncomingMessage, response: ServerResponse, status: number, slug: RequestOutcome, detail: string, errors?: DomainViolation[]): void {
    this.parts.outcomes.count(slug);
    request.resume();
    const body = JSON.stringify(problem(status, slug, detail, { instance: request.url, ...(errors ? { errors } : {}) }));
    response.writeHead(status, { 'content-type': PROBLEM_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
    response.end(body);
  }
}

/** One forwarding attempt; its own listener, so relaying it allocates no closure. */
class Exchange implements UpstreamExchangeListener {
  startedAt = 0;
  retryOnStable = false;
  onRelayedData: ((chunk: Buffer) => void) | undefined = undefined;
  private bodies: MirroredBodies | undefined = undefined;

  constructor(
    private readonly manager: ConnectionManager,
    readonly routing: CompiledRoutingPolicy,
    readonly request: IncomingMessage,
    readonly response: ServerResponse,
    readonly headers: string[],
    readonly hasBody: boolean,
    /** Whether a failure may be retried once on the stable config. */
    readonly retryable: boolean,
    readonly stackConfigIndex: number,
    readonly node: UpstreamNode,
    readonly answerHeaders: readonly string[],
  ) {}

  onResponseHead(statusCode: number, reportedVersion: string | undefined): boolean {
    return this.manager.responseHead(this, statusCode, reportedVersion);
  }

  /** Production's answer to a mirrored request is compared with the copy's: its relayed body is copied as it passes. */
  setMirroredBodies(bodies: MirroredBodies | undefined): void {
    if (bodies) {
      this.bodies = bodies;
      this.onRelayedData = (chunk) => bodies.addProduction(chunk);
    }
  }

  onEnd(statusCode: number, error: Error | undefined, callerGone: boolean): void {
    this.bodies?.endProduction(error === undefined && !this.retryOnStable);
    this.manager.settle(this, statusCode, error, callerGone);
  }
}

/** An upgrade's handshake, reported to the connection manager by its tunnel. */
class UpgradeExchange implements UpstreamExchangeListener {
  constructor(
    private readonly manager: ConnectionManager,
    readonly host: RoutedHost,
    readonly routing: CompiledRoutingPolicy,
    readonly request: IncomingMessage,
    readonly socket: Duplex,
    readonly node: UpstreamNode,
    readonly stackConfig: string,
    readonly startedAt: number,
  ) {}

  /** For a 101: whether the tunnel may open (false: a routing installed meanwhile no longer routes here). */
  onResponseHead(statusCode: number, reportedVersion: string | undefined): boolean {
    this.manager.observeVersion(this.routing, this.node, reportedVersion);
    return statusCode !== 101 || this.manager.stillRoutes(this);
  }

  onEnd(statusCode: number, error: Error | undefined, callerGone: boolean): void {
    this.manager.settleUpgrade(this, statusCode, error, callerGone);
  }
}

const UPGRADE_WITH_BODY = new Refusal(400, 'malformed-request', 'an upgrade request with a body is not proxied: the body would reach the backend only after it switched protocols', [
  { field: 'content-length', message: 'must be absent (or 0) on an upgrade request' },
]);

/**
 * The exchange ended before the caller had sent its whole body (the backend answered without
 * reading it, or failed): undici stopped reading it and left the caller's connection paused, so the
 * caller would block on a full socket until the request timeout. Read and drop the rest, as node:http
 * does for a body no handler read and nginx for one its upstream did not want; the connection stays
 * usable for the caller's next request.
 */
function discardRestOfBody(request: IncomingMessage, response: ServerResponse): void {
  (request as IncomingMessage & { _dump?: () => void })._dump?.();
  response.socket?.resume();
}
