import { Server } from 'node:http';
import { join } from 'node:path';
import { RoutingConfigPublishedV1 } from '@strata/contracts';
import { EventBus } from '@strata/messaging';
import { HealthRegistry, Logger, metricsRegistry } from '@strata/observability';
import { ActiveRouting } from './active-routing';
import { AdminAnswer, AdminListener } from './admin-listener';
import { Clock, Random, systemClock, systemRandom } from './clock';
import { ClusterManager } from './cluster-manager';
import { ConfigSubscription } from './config-subscription';
import { ConnectionManager } from './connection-manager';
import { GATEWAY_SERVICE, ReportSink, busReportSink, reportRoutingModeChange } from './gateway-events';
import { HealthChecker } from './health-checker';
import { ConnectionLimits, DEFAULT_CONNECTION_LIMITS, close, createListener, listen } from './http-listener';
import { KpiFlushSink } from './kpi-flush-sink';
import { LastKnownGoodStore } from './last-known-good-store';
import { OutlierDetector } from './outlier-detector';
import { ListeningAddress, localInterfaceAddresses } from './own-origin';
import { RoutingConfigLoader } from './routing-config-loader';
import { RoutingConfigOutcome, ValidRoutingConfigUpdate } from './routing-config-update';
import { RoutingModeReport } from './routing-mode-report';
import { registerRequestOutcomes } from './request-outcomes';
import { VersionDiscovery } from './version-discovery';

export { GATEWAY_SERVICE } from './gateway-events';
export { MIRROR_HEADER, RETRIED_FROM_HEADER, STACK_CONFIG_HEADER, VERSION_HEADER } from './gateway-headers';

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
  /** Time and chance as every part reads them; the system's by default. */
  clock?: Clock;
  random?: Random;
}

/** Where the gateway listens once started. */
export interface GatewayPorts {
  port: number;
  adminPort: number;
}

const AVAILABILITY_REFRESH_MS = 200;

/**
 * The data plane, assembled from one part per job (as Envoy is): the connection manager (the
 * request path), the cluster manager (keep-alive pools), the outlier detector and health checker,
 * the config subscription and its loader (ACK/NACK, last-known-good), the KPI and routing-mode
 * stats sinks, and the admin listener. This class only builds them, wires them and runs their
 * lifecycle. It serves the last routing config it accepted, from disk after a restart, so it keeps
 * routing while the control plane, the bus or PostgreSQL is down (static stability).
 */
export class Gateway {
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly server: Server;
  private readonly admin: AdminListener;
  private readonly store: LastKnownGoodStore;
  private readonly cluster = new ClusterManager();
  private readonly routingMode: RoutingModeReport;
  private readonly report: ReportSink;
  private readonly connections: ConnectionManager;
  private readonly outliers: OutlierDetector;
  private readonly healthChecker: HealthChecker;
  private readonly kpis: KpiFlushSink;
  private readonly loader: RoutingConfigLoader;
  private readonly subscription: ConfigSubscription;
  private readonly releaseOutcomes: () => void;
  private readonly timers: NodeJS.Timeout[] = [];
  private listening: ListeningAddress | undefined;

  constructor(private readonly options: GatewayOptions) {
    this.logger = new Logger('gateway').child({ gatewayId: options.gatewayId });
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? systemRandom;
    this.report = busReportSink(options.bus, this.logger);
    this.routingMode = new RoutingModeReport(options.gatewayId);
    this.store = new LastKnownGoodStore(options.stateDir ?? join('.strata', 'gateway', options.gatewayId), (error) =>
      // Serving the new config matters more than surviving a restart with it; say so loudly.
      this.logger.error('could not persist the routing config as last-known-good', error),
    );
    const onModeMayHaveChanged = (routing: ActiveRouting): void => {
      if (routing === this.connections.routing) {
        reportRoutingModeChange(this.routingMode.observe(routing), this.report, this.logger);
      }
    };
    this.outliers = new OutlierDetector(this.clock, this.logger, onModeMayHaveChanged);
    const versions = new VersionDiscovery(options.location ?? 'production', this.report, this.logger);
    this.healthChecker = new HealthChecker(this.outliers, versions);
    this.kpis = new KpiFlushSink(this.clock, this.report, onModeMayHaveChanged);
    const { outcomes, release } = registerRequestOutcomes();
    this.releaseOutcomes = release;
    this.connections = new ConnectionManager({ clock: this.clock, outcomes, outliers: this.outliers, versions, routingMode: this.routingMode, logger: this.logger });
    this.loader = new RoutingConfigLoader(options.gatewayId, this.store, {
      served: () => this.connections.routing?.update,
      listening: () => this.listening,
      compile: (update) => this.compile(update),
      install: (compiled) => this.install(compiled),
    }, this.logger);
    this.subscription = new ConfigSubscription({
      gatewayId: options.gatewayId,
      bus: options.bus,
      accepts: (published) => this.accepts(published),
      apply: (published) => this.loader.apply(published),
      retryMs: options.busRetryMs ?? 5_000,
      logger: this.logger,
    });
    const limits = { ...DEFAULT_CONNECTION_LIMITS, ...options.limits };
    this.server = createListener(limits, this.connections.handle, (refusal) => outcomes.count(refusal));
    this.admin = new AdminListener({ '/health': () => this.healthAnswer(), '/metrics': () => metricsAnswer() }, limits, (refusal) => outcomes.count(refusal), this.logger);
  }

  /** Loads the last-known-good config, listens on both ports and joins the bus in the background. */
  async start(): Promise<GatewayPorts> {
    this.options.health.register(GATEWAY_SERVICE, 'bus', () => this.options.bus.probe());
    this.loader.loadLastKnownGood();
    const port = await listen(this.server, this.options.port, this.options.host);
    const adminHost = this.options.admin.host ?? this.options.host;
    let adminPort: number;
    try {
      adminPort = await this.admin.start(this.options.admin.port, adminHost);
    } catch (error: unknown) {
      await close(this.server);
      throw error;
    }
    this.timers.push(setInterval(() => this.kpis.flush(this.connections.routing), this.options.kpiFlushMs ?? 1_000));
    this.timers.push(setInterval(() => this.connections.routing && this.outliers.refresh(this.connections.routing), AVAILABILITY_REFRESH_MS));
    this.timers.forEach((timer) => timer.unref());
    // Known before any config arrives from the bus: a config pointing at this gateway is refused.
    this.listening = { host: this.options.host, port, localAddresses: localInterfaceAddresses() };
    this.subscription.start();
    this.logger.info('gateway listening', { host: this.options.host, port, adminHost, adminPort, routingVersion: this.routingVersion });
    return { port, adminPort };
  }

  async stop(): Promise<void> {
    this.timers.forEach((timer) => clearInterval(timer));
    this.healthChecker.stop();
    await this.subscription.stop();
    await Promise.all([close(this.server), this.admin.stop(), this.store.flushed()]);
    await this.cluster.destroy();
    this.releaseOutcomes();
  }

  /** The version being served, or null before any config arrived. */
  get routingVersion(): number | null {
    return this.connections.routing?.version ?? null;
  }

  /**
   * The loader API: validates and applies a routing config, queueing it as last-known-good.
   * Returns the ACK or the NACK payload. An invalid or stale config is refused and the current one
   * kept. routing-control calls it through `io.strata.routing.config.published.v1`.
   */
  applyRoutingConfig(update: unknown): RoutingConfigOutcome {
    return this.loader.apply(update);
  }

  /** Resolves once the last-known-good file holds every config applied so far. */
  persisted(): Promise<void> {
    return this.store.flushed();
  }

  /** routing.events carries every stack's configs; another stack's is not this gateway's to refuse. */
  private accepts(published: RoutingConfigPublishedV1): boolean {
    const served = this.connections.routing?.update;
    const stack = this.options.stack ?? served?.stack;
    const environment = this.options.environment ?? served?.environment;
    return (stack === undefined || stack === published.stack) && (environment === undefined || environment === published.environment);
  }

  /** The config compiled for the request path; on failure the pools it opened are closed again. */
  private compile(update: ValidRoutingConfigUpdate): ActiveRouting {
    try {
      return new ActiveRouting(update, (url) => this.cluster.poolFor(url), this.clock.now(), this.random);
    } catch (error: unknown) {
      this.cluster.retainOnly(this.connections.routing?.nodes.map((node) => node.url) ?? []);
      throw error;
    }
  }

  private install(compiled: ActiveRouting): void {
    const previous = this.connections.routing;
    this.connections.routing = compiled;
    if (previous) {
      this.kpis.retire(previous);
    }
    this.cluster.retainOnly(compiled.nodes.map((node) => node.url));
    this.healthChecker.watch(compiled);
    const { stack, environment, version } = compiled.update;
    this.logger.info('routing config applied', { stack, environment, version });
    reportRoutingModeChange(this.routingMode.install(compiled), this.report, this.logger);
  }

  private async healthAnswer(): Promise<AdminAnswer> {
    const report = await this.options.health.report();
    const gateway = report.services[GATEWAY_SERVICE] ?? { status: 'down', checks: {} };
    const body = JSON.stringify({ gatewayId: this.options.gatewayId, routingVersion: this.routingVersion, ...gateway });
    return { status: gateway.status === 'up' ? 200 : 503, contentType: 'application/json', body };
  }
}

async function metricsAnswer(): Promise<AdminAnswer> {
  return { status: 200, contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
}
