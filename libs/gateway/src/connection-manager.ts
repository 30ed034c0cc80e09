import { IncomingMessage, ServerResponse } from 'node:http';
import { Caller, DomainViolation, NO_STACK_CONFIG, RouteRequest, cookieValue, routesAccept } from '@strata/domain';
import { Logger, PROBLEM_CONTENT_TYPE, problem } from '@strata/observability';
import { CompiledRoutingPolicy, UpstreamNode } from './compiled-routing-policy';
import { Clock } from './clock';
import { MIRROR_HEADER } from './gateway-headers';
import { MirroredBodies, readBounded } from './mirrored-bodies';
import { OutlierDetector } from './outlier-detector';
import { requestDefect } from './request-guard';
import { RequestHeaders } from './request-headers';
import { RequestOutcome, RequestOutcomes } from './request-outcomes';
import { RoutingModeReport } from './routing-mode-report';
import { outcomeOfStatus } from './traffic-stats';
import { UpstreamExchangeListener, UpstreamResponseHandler } from './upstream-response-handler';
import { VersionDiscovery } from './version-discovery';

/** A stack and environment the gateway serves: the routing served for it and its routing-mode sink. */
export interface RoutedHost {
  /** Replaced whole when a config is installed; undefined until one is. */
  routing: CompiledRoutingPolicy | undefined;
  readonly mode: RoutingModeReport;
}

/** The parts the request path reports to. */
export interface RequestPathParts {
  clock: Clock;
  outcomes: RequestOutcomes;
  outliers: OutlierDetector;
  versions: VersionDiscovery;
  /** Which stack and environment a request is for (VirtualHostTable). */
  hosts: { select(request: IncomingMessage, path: string): RoutedHost | undefined };
  logger: Logger;
}

/**
 * The HTTP connection manager and router: the whole request path, top to bottom.
 *
 *   handle   guard (Host, request target) → virtual host (by Host or path prefix) → routing served?
 *            → network policy → weighted pick of a stack config (rules, stickiness, weights) → P2C
 *            pick of a node → mirror a copy? → forward
 *   forward  one upstream exchange, relayed to the caller by UpstreamResponseHandler
 *   settle   the exchange is over: stats, outlier outcome, and for an idempotent request that
 *            failed on a canary, one retry on the stable config within the retry budget
 *   refuse   every answer the gateway gives itself, in problem+json
 *
 * Nothing here is allocated per request that could be built when the config changes: the answer
 * headers are precomputed per stack config, outcomes are counted in a typed array, the request
 * view is one reused object, and each exchange is one object (its own listener, no closures).
 */
export class ConnectionManager {
  private readonly view = new RequestView();
  private readonly headers = new RequestHeaders();

  constructor(private readonly parts: RequestPathParts) {}

  readonly handle = (request: IncomingMessage, response: ServerResponse): void => {
    const defect = requestDefect(request);
    if (defect) {
      // The framing of what follows on this connection is as doubtful as this request: close it.
      response.setHeader('connection', 'close');
      this.refuse(request, response, 400, defect.slug, defect.detail, [defect.violation]);
      return;
    }
    const url = request.url as string;
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const host = this.parts.hosts.select(request, path);
    if (!host) {
      this.refuse(request, response, 404, 'no-virtual-host', 'no stack served by this gateway is chosen by this Host or path');
      return;
    }
    const routing = host.routing;
    if (!routing) {
      this.refuse(request, response, 503, 'no-stack-config', 'no valid stack configuration: no routing config has reached this gateway yet');
      return;
    }
    const view = this.view.bind(request, path);
    if (routing.networkPolicy && !routing.networkPolicy.isAllowed(view)) {
      routing.deniedRequests++;
      this.refuse(request, response, 403, 'denied-by-network-policy', `the network policy does not allow this caller to reach ${routing.update.config.component}`);
      return;
    }
    if (routing.routes && !routesAccept(routing.routes, view)) {
      this.refuse(request, response, 404, 'no-route', `no route of the deployed lb-rule matches ${request.method} ${view.path}`);
      return;
    }
    const stackConfigIndex = routing.router.choose(view, routing.draw());
    if (stackConfigIndex === NO_STACK_CONFIG) {
      this.refuse(request, response, 503, 'no-stack-config', 'no valid stack configuration: no stack config has a backend node');
      return;
    }
    host.mode.countRequest(routing.router.mode, stackConfigIndex);
    const node = routing.pickNode(stackConfigIndex);
    if (!node) {
      this.refuse(request, response, 503, 'no-healthy-node', `no healthy backend node in stack config ${routing.router.names[stackConfigIndex]}`);
      return;
    }
    routing.retryBudget.recordRequest();
    const { forwarded: headers, hasBody, hasIdempotencyKey } = this.headers.scan(request.rawHeaders);
    const method = request.method;
    // A streamed body cannot be sent twice, so only bodiless idempotent requests are retried.
    const retryable = !hasBody && stackConfigIndex !== routing.router.stableIndex && (method === 'GET' || method === 'HEAD' || hasIdempotencyKey);
    const exchange = new Exchange(this, routing, request, response, headers, hasBody, retryable, stackConfigIndex, node, routing.answerHeaders[stackConfigIndex]);
    if (!hasBody && routing.router.mirrorIndex !== NO_STACK_CONFIG && routing.router.shouldMirror(routing.draw())) {
      exchange.setMirroredBodies(this.mirror(routing, request, headers));
    }
    this.forward(exchange);
  };

  private forward(exchange: Exchange): void {
    const { node, request } = exchange;
    node.outstanding++;
    exchange.startedAt = this.parts.clock.monotonic();
    node.pool.dispatch({ path: request.url as string, method: request.method as string, headers: exchange.headers, body: exchange.hasBody ? request : null }, new UpstreamResponseHandler(exchange.response, exchange, exchange.answerHeaders));
  }

  /** The upstream's status is known: true relays its answer, false discards it for a retry on stable. */
  responseHead(exchange: Exchange, statusCode: number, reportedVersion: string | undefined): boolean {
    this.parts.versions.observe(exchange.routing, exchange.node, reportedVersion, 'response-header');
    exchange.retryOnStable = statusCode >= 500 && exchange.retryable && exchange.routing.retryBudget.tryAcquire(this.parts.clock.now());
    return !exchange.retryOnStable;
  }

  settle(exchange: Exchange, statusCode: number, error: Error | undefined, callerGone: boolean): void {
    const { routing, node, response } = exchange;
    node.outstanding--;
    const latencyMs = this.parts.clock.monotonic() - exchange.startedAt;
    if (error === undefined) {
      node.stats.record(outcomeOfStatus(statusCode), latencyMs);
      this.parts.outliers.record(routing, node, statusCode < 500);
      if (exchange.retryOnStable) {
        this.retryOnStable(exchange);
      } else {
        this.parts.outcomes.count('forwarded');
      }
      return;
    }
    if (callerGone || (response.destroyed && !response.writableFinished)) {
      // The caller went away: not the backend's fault.
      this.parts.outcomes.count('caller-aborted');
      return;
    }
    const beforeResponse = statusCode === 0;
    node.stats.record(beforeResponse ? 'connect-error' : 'server-error', latencyMs);
    this.parts.outliers.record(routing, node, false);
    if (response.headersSent) {
      response.destroy();
      return;
    }
    if (beforeResponse && exchange.retryable && routing.retryBudget.tryAcquire(this.parts.clock.now())) {
      this.retryOnStable(exchange);
      return;
    }
    this.parts.logger.debug('upstream failed', { node: node.id, error: String(error) });
    this.refuse(exchange.request, response, 502, 'upstream-failed', `the backend node ${node.id} of stack config ${routing.router.names[exchange.stackConfigIndex]} failed to answer`);
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

  /**
   * Fire and forget: the copy's response never reaches the caller, only the staging config's KPIs.
   * With `compareBodies`, its body is read (bounded) and compared with production's once both end.
   */
  private mirror(routing: CompiledRoutingPolicy, request: IncomingMessage, headers: string[]): MirroredBodies | undefined {
    const node = routing.pickMirrorNode();
    if (!node) {
      return undefined;
    }
    const comparison = routing.update.config.mirror?.compareBodies;
    const bodies = comparison ? new MirroredBodies(comparison, node.mirrorStats) : undefined;
    const { clock } = this.parts;
    const startedAt = clock.monotonic();
    node.mirrorOutstanding++;
    node.pool.request({ path: request.url as string, method: request.method as string, headers: [...headers, MIRROR_HEADER, '1'], body: null }).then(
      (answer) => {
        node.mirrorOutstanding--;
        node.mirrorStats.record(outcomeOfStatus(answer.statusCode), clock.monotonic() - startedAt);
        if (bodies && comparison) {
          void readBounded(answer.body, comparison.maxBytes).then((text) => bodies.endMirror(text));
        } else {
          answer.body.dump().catch(() => undefined);
        }
      },
      () => {
        node.mirrorOutstanding--;
        node.mirrorStats.record('connect-error', clock.monotonic() - startedAt);
        bodies?.endMirror(null);
      },
    );
    return bodies;
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

/** The request as the router and the network policy read it; one instance reused (routing is synchronous). */
class RequestView implements RouteRequest, Caller {
  path = '/';
  private request: IncomingMessage | undefined;

  bind(request: IncomingMessage, path: string): this {
    this.request = request;
    this.path = path;
    return this;
  }

  get method(): string {
    return this.request?.method ?? 'GET';
  }

  get sourceAddress(): string {
    return this.request?.socket.remoteAddress ?? '';
  }

  header(name: string): string | undefined {
    const value = this.request?.headers[name];
    return typeof value === 'string' ? value : value?.[0];
  }

  cookie(name: string): string | undefined {
    return cookieValue(this.request?.headers.cookie, name);
  }
}
