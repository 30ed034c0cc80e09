import { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { GatewayFallbackChangedV1, KpiSamplesV1, RoutingConfigPublishedV1, Topics } from '@strata/contracts';
import { Caller, DomainViolation, NO_STACK_CONFIG, RoutableRequest, cookieValue } from '@strata/domain';
import { EventBus, OutgoingMessage, SubscriptionHandle, createEventProcessor, newEvent } from '@strata/messaging';
import { HealthRegistry, Logger, PROBLEM_CONTENT_TYPE, metricsRegistry, problem } from '@strata/observability';
import { Counter } from 'prom-client';
import { ActiveRouting, UpstreamNode } from './active-routing';
import { AdminAnswer, AdminListener } from './admin-listener';
import { ConnectionLimits, DEFAULT_CONNECTION_LIMITS, close, createListener, listen } from './http-listener';
import { LastKnownGoodStore } from './last-known-good-store';
import { ListeningAddress, localInterfaceAddresses, nodePointingAtGateway } from './own-origin';
import { RoutingModeReport } from './routing-mode-report';
import { RoutingConfigOutcome, RoutingConfigUpdate, ValidRoutingConfigUpdate, parseRoutingConfigUpdate, routingConfigUpdateViolations } from './routing-config-update';
import { requestDefect } from './request-guard';
import { outcomeOfStatus, seriesKey } from './traffic-stats';
import { UpstreamResponseHandler } from './upstream-response-handler';

export interface GatewayOptions {
  gatewayId: string;
  host: string;
  /** The data port: every path on it is routed to the backends. */
  port: number;
  /** The admin listener (`/health`, `/metrics`); its host defaults to `host`. */
  admin: { host?: string; port: number };
  /** Timeouts of both listeners' connections; each unset one keeps its default. */
  limits?: Partial<ConnectionLimits>;
  bus: EventBus;
  /** In embedded mode the launcher's registry, so the API's /health shows the gateway too. */
  health: HealthRegistry;
  /** Directory of the last-known-good routing config (static stability); default `.strata/gateway/<gatewayId>`. */
  stateDir?: string;
  location?: 'staging' | 'production';
  /** KPI flush period; 1 s in production, shorter in tests. */
  kpiFlushMs?: number;
  /** How long to wait between attempts to join the bus while it is down. */
  busRetryMs?: number;
  /**
   * The stack and environment this gateway routes. Unset: the one of the config it serves, or the
   * first config published when it serves none yet.
   */
  stack?: string;
  environment?: string;
}

const requests = new Counter({
  name: 'strata_gateway_requests_total',
  help: 'Requests the gateway answered, by outcome',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

export const GATEWAY_SERVICE = 'gateway';
export const STACK_CONFIG_HEADER = 'x-strata-stack-config';
export const VERSION_HEADER = 'x-strata-version';
export const MIRROR_HEADER = 'x-strata-mirror';
export const RETRIED_FROM_HEADER = 'x-strata-retried-from';

/** Where the gateway listens once started. */
export interface GatewayPorts {
  port: number;
  adminPort: number;
}

const AVAILABILITY_REFRESH_MS = 200;
const UPSTREAM_HEADERS_TIMEOUT_MS = 30_000;
/** Hop-by-hop headers (RFC 9110 §7.6.1) and those undici sets itself; never forwarded. */
const REQUEST_HEADERS_NOT_FORWARDED = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host', 'expect']);

/** The request as the router and the network policy read it; one instance reused (routing is synchronous). */
class RequestView implements RoutableRequest, Caller {
  path = '/';
  private request: IncomingMessage | undefined;

  bind(request: IncomingMessage, path: string): this {
    this.request = request;
    this.path = path;
    return this;
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

/** What one forwarding attempt needs; the retry reuses it on the stable config. */
interface Exchange {
  routing: ActiveRouting;
  request: IncomingMessage;
  response: ServerResponse;
  headers: string[];
  hasBody: boolean;
  retryable: boolean;
  /** The stack config whose failure this attempt retries, told to the caller in a header. */
  retriedFrom?: string;
}

/**
 * The data plane. Plain node:http in, undici keep-alive pools out: nothing but routing belongs on
 * the request path. It serves the last routing config it accepted, from disk after a restart, so
 * it keeps routing while the control plane, the bus or PostgreSQL is down (static stability).
 */
export class Gateway {
  private readonly logger: Logger;
  private readonly server: Server;
  private readonly admin: AdminListener;
  private readonly store: LastKnownGoodStore;
  private readonly pools = new Map<string, Pool>();
  private readonly view = new RequestView();
  private readonly routingMode: RoutingModeReport;
  private routing: ActiveRouting | undefined;
  /** Replaced routings whose last KPIs are still to be flushed. */
  private retired: ActiveRouting[] = [];
  private subscription: SubscriptionHandle | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private healthCheckTimer: NodeJS.Timeout | undefined;
  private listening: ListeningAddress | undefined;
  private stopped = false;

  constructor(private readonly options: GatewayOptions) {
    this.logger = new Logger('gateway').child({ gatewayId: options.gatewayId });
    this.routingMode = new RoutingModeReport(options.gatewayId);
    this.store = new LastKnownGoodStore(options.stateDir ?? join('.strata', 'gateway', options.gatewayId));
    const limits = { ...DEFAULT_CONNECTION_LIMITS, ...options.limits };
    const countRefusal = (outcome: string) => requests.inc({ outcome });
    this.server = createListener(limits, (request, response) => this.handle(request, response), countRefusal);
    this.admin = new AdminListener({ '/health': () => this.healthAnswer(), '/metrics': () => metricsAnswer() }, limits, countRefusal, this.logger);
  }

  /** Loads the last-known-good config, listens on both ports and joins the bus in the background. */
  async start(): Promise<GatewayPorts> {
    this.options.health.register(GATEWAY_SERVICE, 'bus', () => this.options.bus.probe());
    this.loadLastKnownGood();
    const port = await listen(this.server, this.options.port, this.options.host);
    const adminHost = this.options.admin.host ?? this.options.host;
    let adminPort: number;
    try {
      adminPort = await this.admin.start(this.options.admin.port, adminHost);
    } catch (error: unknown) {
      await close(this.server);
      throw error;
    }
    this.timers.push(setInterval(() => this.flushKpis(), this.options.kpiFlushMs ?? 1_000));
    this.timers.push(setInterval(() => this.routing && this.refreshAvailability(this.routing), AVAILABILITY_REFRESH_MS));
    this.timers.forEach((timer) => timer.unref());
    // Known before any config arrives from the bus: a config pointing at this gateway is refused.
    this.listening = { host: this.options.host, port, localAddresses: localInterfaceAddresses() };
    // Never awaited: a gateway whose bus is down still serves from its last-known-good config.
    void this.joinBus();
    this.logger.info('gateway listening', { host: this.options.host, port, adminHost, adminPort, routingVersion: this.routing?.version ?? null });
    return { port, adminPort };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.forEach((timer) => clearInterval(timer));
    clearInterval(this.healthCheckTimer);
    await this.subscription?.stop().catch((error: unknown) => this.logger.warn('could not leave the bus cleanly', { error: String(error) }));
    await Promise.all([close(this.server), this.admin.stop()]);
    await Promise.all([...this.pools.values()].map((pool) => pool.destroy()));
    this.pools.clear();
  }

  /** The version being served, or null before any config arrived. */
  get routingVersion(): number | null {
    return this.routing?.version ?? null;
  }

  /**
   * The loader API: validates and applies a routing config, persisting it as last-known-good.
   * Returns the ACK or the NACK payload. An invalid or stale config is refused and the current one
   * kept. routing-control will call this through `io.strata.routing.config.published.v1`.
   */
  applyRoutingConfig(update: unknown): RoutingConfigOutcome {
    const envelope = update as Partial<RoutingConfigUpdate> | null;
    const identity = {
      stack: typeof envelope?.stack === 'string' ? envelope.stack : '',
      environment: typeof envelope?.environment === 'string' ? envelope.environment : '',
      version: typeof envelope?.version === 'number' ? envelope.version : 0,
      gatewayId: this.options.gatewayId,
    };
    const keptVersion = this.routing?.version ?? null;
    const reject = (reason: string, violations: { field: string; message: string }[] = []): RoutingConfigOutcome => {
      this.logger.warn('routing config rejected', { ...identity, reason, violations, keptVersion });
      return { outcome: 'rejected', ...identity, reason, violations, keptVersion };
    };
    const violations = routingConfigUpdateViolations(update);
    if (violations.length > 0) {
      return reject(`the routing config has ${violations.length} violation(s)`, violations);
    }
    const valid = parseRoutingConfigUpdate(update as RoutingConfigUpdate);
    const current = this.routing?.update;
    if (current && (current.stack !== valid.stack || current.environment !== valid.environment)) {
      return reject(`this gateway routes ${current.stack}/${current.environment}, not ${valid.stack}/${valid.environment}`);
    }
    if (current && valid.version < current.version) {
      return reject(`version ${valid.version} is older than the applied version ${current.version}`);
    }
    if (current?.version === valid.version) {
      return { outcome: 'applied', ...identity };
    }
    const loop = this.listening && nodePointingAtGateway(valid.config, this.listening);
    if (loop) {
      return reject(`backend node ${loop.id} (${loop.url}) is this gateway: every request would be forwarded back to it`, [
        { field: loop.field, message: `is where gateway ${this.options.gatewayId} itself listens` },
      ]);
    }
    // Compiled before it is persisted: a config this gateway cannot install must never become the
    // last-known-good one, or the next restart would start from it.
    let compiled: ActiveRouting;
    try {
      compiled = this.compile(valid);
    } catch (error: unknown) {
      return reject(`the routing config cannot be installed: ${error instanceof Error ? error.message : String(error)}`);
    }
    try {
      this.store.save(valid);
    } catch (error: unknown) {
      // Serving the new config matters more than surviving a restart with it; say so loudly.
      this.logger.error('could not persist the routing config as last-known-good', error);
    }
    this.install(compiled);
    return { outcome: 'applied', ...identity };
  }

  private loadLastKnownGood(): void {
    let stored: unknown;
    try {
      stored = this.store.load();
    } catch (error: unknown) {
      this.logger.error('the last-known-good routing config is unreadable; starting without one', error, { file: this.store.path });
      return;
    }
    if (stored === undefined) {
      this.logger.info('no last-known-good routing config yet', { file: this.store.path });
      return;
    }
    const violations = routingConfigUpdateViolations(stored);
    if (violations.length > 0) {
      this.logger.error('the last-known-good routing config is invalid; starting without one', undefined, { file: this.store.path, violations });
      return;
    }
    let compiled: ActiveRouting;
    try {
      compiled = this.compile(parseRoutingConfigUpdate(stored as RoutingConfigUpdate));
    } catch (error: unknown) {
      this.logger.error('the last-known-good routing config cannot be installed; starting without one', error, { file: this.store.path });
      return;
    }
    this.install(compiled);
    this.logger.info('serving the last-known-good routing config', { version: this.routing?.version });
  }

  /** The config compiled for the request path; on failure the pools it opened are closed again. */
  private compile(update: ValidRoutingConfigUpdate): ActiveRouting {
    try {
      return new ActiveRouting(update, (url) => this.poolFor(url), Date.now());
    } catch (error: unknown) {
      this.closePoolsNotUsedBy(this.routing?.update);
      throw error;
    }
  }

  private closePoolsNotUsedBy(update: ValidRoutingConfigUpdate | undefined): void {
    const inUse = new Set(update?.config.stackConfigs.flatMap((stackConfig) => stackConfig.nodes.map((node) => node.url)));
    for (const [url, pool] of this.pools) {
      if (!inUse.has(url)) {
        this.pools.delete(url);
        // close() lets requests in flight on the old config finish.
        void pool.close().catch(() => undefined);
      }
    }
  }

  private install(compiled: ActiveRouting): void {
    const previous = this.routing;
    const update = compiled.update;
    this.routing = compiled;
    if (previous) {
      this.retired.push(previous);
    }
    this.closePoolsNotUsedBy(update);
    clearInterval(this.healthCheckTimer);
    const check = update.config.healthCheck;
    if (check) {
      this.healthCheckTimer = setInterval(() => this.runHealthChecks(), check.intervalMs);
      this.healthCheckTimer.unref();
    }
    this.logger.info('routing config applied', { stack: update.stack, environment: update.environment, version: update.version });
    this.reportRoutingMode(this.routingMode.install(compiled));
  }

  private poolFor(url: string): Pool {
    let pool = this.pools.get(url);
    if (!pool) {
      pool = new Pool(url, { connections: 256, pipelining: 1, keepAliveTimeout: 30_000, headersTimeout: UPSTREAM_HEADERS_TIMEOUT_MS, bodyTimeout: 0 });
      this.pools.set(url, pool);
    }
    return pool;
  }

  private async joinBus(): Promise<void> {
    const groupId = `strata-gateway.${this.options.gatewayId}`;
    while (!this.stopped) {
      try {
        this.subscription = await this.options.bus.subscribe({
          groupId,
          topics: [Topics.routingEvents],
          handler: createEventProcessor({
            groupId,
            bus: this.options.bus,
            handlers: { 'io.strata.routing.config.published.v1': (event) => this.onRoutingConfigPublished(event.data) },
          }),
        });
        return;
      } catch (error: unknown) {
        this.logger.warn('cannot join the bus; serving the last-known-good config meanwhile', { error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, this.options.busRetryMs ?? 5_000).unref());
      }
    }
  }

  /**
   * Applies a published config meant for this gateway and answers with the ACK or the NACK. The
   * answer is awaited: if it cannot be published the event is redelivered, and applying the same
   * version again only repeats the answer.
   */
  private async onRoutingConfigPublished(published: RoutingConfigPublishedV1): Promise<void> {
    const served = this.routing?.update;
    const stack = this.options.stack ?? served?.stack;
    const environment = this.options.environment ?? served?.environment;
    // routing.events carries every stack's configs; another stack's is not this gateway's to refuse.
    if ((stack !== undefined && stack !== published.stack) || (environment !== undefined && environment !== published.environment)) {
      return;
    }
    const result = this.applyRoutingConfig(published);
    const event =
      result.outcome === 'applied'
        ? newEvent({ type: 'io.strata.routing.config.applied.v1', service: GATEWAY_SERVICE, subject: published.stack, data: { stack: result.stack, environment: result.environment, version: result.version, gatewayId: result.gatewayId } })
        : newEvent({
            type: 'io.strata.routing.config.rejected.v1',
            service: GATEWAY_SERVICE,
            subject: published.stack,
            data: { stack: published.stack, environment: published.environment, version: published.version, gatewayId: result.gatewayId, reason: result.reason, violations: result.violations, keptVersion: result.keptVersion },
          });
    await this.options.bus.publish([{ topic: Topics.routingEvents, key: published.stack, value: JSON.stringify(event) }]);
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const defect = requestDefect(request);
    if (defect) {
      // The framing of what follows on this connection is as doubtful as this request: close it.
      response.setHeader('connection', 'close');
      this.refuse(request, response, 400, defect.slug, defect.detail, [defect.violation]);
      return;
    }
    const url = request.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const routing = this.routing;
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
    const stackConfigIndex = routing.router.choose(view, Math.random());
    if (stackConfigIndex === NO_STACK_CONFIG) {
      this.refuse(request, response, 503, 'no-stack-config', 'no valid stack configuration: no stack config has a backend node');
      return;
    }
    this.routingMode.countRequest(routing.router.mode, stackConfigIndex);
    const node = routing.pickNode(stackConfigIndex);
    if (!node) {
      this.refuse(request, response, 503, 'no-healthy-node', `no healthy backend node in stack config ${routing.router.names[stackConfigIndex]}`);
      return;
    }
    routing.retryBudget.recordRequest();
    const hasBody = request.headers['content-length'] !== undefined ? request.headers['content-length'] !== '0' : request.headers['transfer-encoding'] !== undefined;
    const method = request.method;
    // A streamed body cannot be sent twice, so only bodiless idempotent requests are retried.
    const retryable = !hasBody && (method === 'GET' || method === 'HEAD' || request.headers['idempotency-key'] !== undefined);
    const headers = forwardedHeaders(request.rawHeaders);
    if (!hasBody && routing.router.shouldMirror(Math.random())) {
      this.mirror(routing, request, headers);
    }
    this.forward({ routing, request, response, headers, hasBody, retryable }, stackConfigIndex, node);
  }

  private forward(exchange: Exchange, stackConfigIndex: number, node: UpstreamNode): void {
    const { routing, request, response } = exchange;
    const startedAt = performance.now();
    const stackConfig = routing.router.names[stackConfigIndex];
    const mayRetryOnStable = exchange.retryable && stackConfigIndex !== routing.router.stableIndex;
    let retryOnStable = false;
    const extraHeaders = exchange.retriedFrom === undefined ? [STACK_CONFIG_HEADER, stackConfig] : [STACK_CONFIG_HEADER, stackConfig, RETRIED_FROM_HEADER, exchange.retriedFrom];
    const handler = new UpstreamResponseHandler(
      response,
      {
        onResponseHead: (statusCode, reportedVersion) => {
          this.discoverVersion(routing, node, reportedVersion, 'response-header');
          retryOnStable = statusCode >= 500 && mayRetryOnStable && routing.retryBudget.tryAcquire(Date.now());
          return !retryOnStable;
        },
        onEnd: (error) => {
          node.outstanding--;
          if (error === undefined) {
            node.stats.record(outcomeOfStatus(handler.statusCode), performance.now() - startedAt);
            this.recordOutlierOutcome(routing, node, handler.statusCode < 500);
            if (retryOnStable) {
              this.retryOnStable(exchange, stackConfig);
            } else {
              requests.inc({ outcome: 'forwarded' });
            }
            return;
          }
          this.onUpstreamFailed(exchange, node, stackConfig, handler.statusCode === 0, mayRetryOnStable, error, startedAt);
        },
      },
      extraHeaders,
      VERSION_HEADER,
    );
    node.outstanding++;
    node.pool.dispatch({ path: request.url ?? '/', method: request.method as 'GET', headers: exchange.headers, body: exchange.hasBody ? request : null }, handler);
  }

  private onUpstreamFailed(exchange: Exchange, node: UpstreamNode, stackConfig: string, beforeResponse: boolean, mayRetryOnStable: boolean, error: Error, startedAt: number): void {
    const { routing, request, response } = exchange;
    if (response.destroyed && !response.writableFinished) {
      // The caller went away: not the backend's fault.
      requests.inc({ outcome: 'caller-aborted' });
      return;
    }
    node.stats.record(beforeResponse ? 'connect-error' : 'server-error', performance.now() - startedAt);
    this.recordOutlierOutcome(routing, node, false);
    if (response.headersSent) {
      response.destroy();
      return;
    }
    if (beforeResponse && mayRetryOnStable && routing.retryBudget.tryAcquire(Date.now())) {
      this.retryOnStable(exchange, stackConfig);
      return;
    }
    this.logger.debug('upstream failed', { node: node.id, error: String(error) });
    this.refuse(request, response, 502, 'upstream-failed', `the backend node ${node.id} of stack config ${stackConfig} failed to answer`);
  }

  private retryOnStable(exchange: Exchange, failedStackConfig: string): void {
    const stableIndex = exchange.routing.router.stableIndex;
    const node = exchange.routing.pickNode(stableIndex);
    requests.inc({ outcome: 'retried-on-stable' });
    if (!node) {
      this.refuse(exchange.request, exchange.response, 502, 'upstream-failed', `stack config ${failedStackConfig} failed and the stable config has no healthy node`);
      return;
    }
    this.forward({ ...exchange, retryable: false, retriedFrom: failedStackConfig }, stableIndex, node);
  }

  /** Fire and forget: the copy's response never reaches the caller, only the staging config's KPIs. */
  private mirror(routing: ActiveRouting, request: IncomingMessage, headers: string[]): void {
    const node = routing.pickNode(routing.router.mirrorIndex);
    if (!node) {
      return;
    }
    const startedAt = performance.now();
    node.pool.request({ path: request.url ?? '/', method: request.method as 'GET', headers: [...headers, MIRROR_HEADER, '1'], body: null }).then(
      (answer) => {
        answer.body.dump().catch(() => undefined);
        node.mirrorStats.record(outcomeOfStatus(answer.statusCode), performance.now() - startedAt);
      },
      () => node.mirrorStats.record('connect-error', performance.now() - startedAt),
    );
  }

  private recordOutlierOutcome(routing: ActiveRouting, node: UpstreamNode, succeeded: boolean): void {
    if (succeeded) {
      if (node.outlier.recordSuccess(Date.now())) {
        this.logger.info('backend node recovered', { node: node.id });
        this.refreshAvailability(routing);
      }
    } else if (node.outlier.recordFailure(Date.now())) {
      this.logger.warn('backend node ejected', { node: node.id, ejections: node.outlier.ejectionCount });
      this.refreshAvailability(routing);
    }
  }

  private refreshAvailability(routing: ActiveRouting): void {
    routing.refreshAvailability(Date.now());
    if (routing === this.routing) {
      this.reportRoutingMode(this.routingMode.observe(routing));
    }
  }

  /** Publishes a change of routing mode (fallback or panic entered or left); never per request. */
  private reportRoutingMode(change: GatewayFallbackChangedV1 | undefined): void {
    if (!change) {
      return;
    }
    const log = { stack: change.stack, mode: change.mode, previousMode: change.previousMode, unavailableConfigs: change.unavailableConfigs, servingConfigs: change.servingConfigs, reason: change.reason };
    if (change.mode === 'normal') {
      this.logger.info('routing mode back to normal', log);
    } else {
      this.logger.warn(`routing mode ${change.mode}`, log);
    }
    const event = newEvent({ type: 'io.strata.routing.gateway.fallback.changed.v1', service: GATEWAY_SERVICE, subject: change.stack, data: change });
    this.publish([{ topic: Topics.routingEvents, key: change.stack, value: JSON.stringify(event) }]);
  }

  private discoverVersion(routing: ActiveRouting, node: UpstreamNode, reported: string | string[] | undefined, source: 'response-header' | 'health-check'): void {
    if (typeof reported !== 'string' || reported === node.lastReportedVersion) {
      return;
    }
    node.lastReportedVersion = reported;
    if (node.expectedVersion === undefined || reported === node.expectedVersion || node.reportedMismatches.has(reported)) {
      return;
    }
    node.reportedMismatches.add(reported);
    const { stack, environment, config } = routing.update;
    this.logger.warn('backend node reports another version than declared', { node: node.id, declared: node.expectedVersion, reported });
    const event = newEvent({
      type: 'io.strata.registry.version-mismatch.detected.v1',
      service: GATEWAY_SERVICE,
      subject: stack,
      data: {
        stack,
        environment,
        location: this.options.location ?? 'production',
        component: config.component,
        address: node.url,
        declaredVersion: node.expectedVersion,
        discoveredVersion: reported,
        source,
      },
    });
    this.publish([{ topic: Topics.registryEvents, key: stack, value: JSON.stringify(event) }]);
  }

  /** Active health checks: version discovery, and the recovery probe of ejected nodes. */
  private runHealthChecks(): void {
    const routing = this.routing;
    const path = routing?.update.config.healthCheck?.path;
    if (!routing || !path) {
      return;
    }
    for (const node of routing.allNodes()) {
      node.pool.request({ path, method: 'GET', headersTimeout: 5_000, bodyTimeout: 5_000 }).then(
        async (answer) => {
          const text = await answer.body.text();
          // The health payload is the authoritative report; the header only when it has none.
          const version = healthPayloadVersion(text) ?? answer.headers[VERSION_HEADER];
          node.lastReportedVersion = undefined;
          this.discoverVersion(routing, node, version, 'health-check');
          this.recordOutlierOutcome(routing, node, answer.statusCode < 500);
        },
        () => this.recordOutlierOutcome(routing, node, false),
      );
    }
  }

  private flushKpis(): void {
    const now = Date.now();
    const messages: OutgoingMessage[] = [];
    const routings = this.routing ? [...this.retired, this.routing] : this.retired;
    this.retired = [];
    for (const routing of routings) {
      routing.updateScores();
      if (routing === this.routing) {
        this.reportRoutingMode(this.routingMode.observe(routing));
      }
      const { stack, environment, config } = routing.update;
      for (const node of routing.allNodes()) {
        const labels = { stack, environment, component: config.component, stackConfig: routing.router.names[node.stackConfigIndex], node: node.id };
        const samples = [...node.stats.toSamples(labels, 'gateway_', now), ...node.mirrorStats.toSamples(labels, 'gateway_mirror_', now)];
        node.stats.reset();
        node.mirrorStats.reset();
        samples.forEach((data) => messages.push(this.kpiMessage(stack, data)));
      }
      if (routing.deniedRequests > 0) {
        const data: KpiSamplesV1 = {
          series: { stack, environment, component: config.component, metric: 'gateway_denied_requests_total' },
          samples: [{ timestamp: now, value: routing.deniedRequests }],
        };
        routing.deniedRequests = 0;
        messages.push(this.kpiMessage(stack, data));
      }
    }
    if (messages.length > 0) {
      this.publish(messages);
    }
  }

  private kpiMessage(stack: string, data: KpiSamplesV1): OutgoingMessage {
    const event = newEvent({ type: 'io.strata.kpi.samples.v1', service: GATEWAY_SERVICE, subject: stack, data });
    return { topic: Topics.kpiSamples, key: seriesKey(data.series), value: JSON.stringify(event) };
  }

  /** Never awaited by the request path; with the bus down the samples of that second are dropped. */
  private publish(messages: OutgoingMessage[]): void {
    this.options.bus.publish(messages).catch((error: unknown) => this.logger.warn('could not publish to the bus', { error: String(error), messages: messages.length }));
  }

  private async healthAnswer(): Promise<AdminAnswer> {
    const report = await this.options.health.report();
    const gateway = report.services[GATEWAY_SERVICE] ?? { status: 'down', checks: {} };
    const body = JSON.stringify({ gatewayId: this.options.gatewayId, routingVersion: this.routingVersion, ...gateway });
    return { status: gateway.status === 'up' ? 200 : 503, contentType: 'application/json', body };
  }

  private refuse(request: IncomingMessage, response: ServerResponse, status: number, slug: string, detail: string, errors?: DomainViolation[]): void {
    requests.inc({ outcome: slug });
    request.resume();
    this.respond(response, status, PROBLEM_CONTENT_TYPE, JSON.stringify(problem(status, slug, detail, { instance: request.url, ...(errors ? { errors } : {}) })));
  }

  private respond(response: ServerResponse, status: number, contentType: string, body: string): void {
    response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
    response.end(body);
  }
}

async function metricsAnswer(): Promise<AdminAnswer> {
  return { status: 200, contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
}

function forwardedHeaders(rawHeaders: string[]): string[] {
  const headers: string[] = [];
  for (let index = 0; index < rawHeaders.length; index += 2) {
    if (!REQUEST_HEADERS_NOT_FORWARDED.has(rawHeaders[index].toLowerCase())) {
      headers.push(rawHeaders[index], rawHeaders[index + 1]);
    }
  }
  return headers;
}

function healthPayloadVersion(text: string): string | undefined {
  try {
    const payload: unknown = JSON.parse(text);
    if (typeof payload === 'object' && payload !== null && 'version' in payload && typeof payload.version === 'string') {
      return payload.version;
    }
  } catch {
    // Not JSON: the version header, if any, is all there is.
  }
  return undefined;
}
