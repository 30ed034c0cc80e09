import { join } from 'node:path';
import { EventBus } from '@strata/messaging';
import { HealthRegistry, Logger, metricsRegistry } from '@strata/observability';
import { AdminAnswer, AdminListener } from './admin-listener';
import { Clock, Random, systemClock, systemRandom } from './clock';
import { ConfigSubscription } from './config-subscription';
import { DataPlane } from './data-plane';
import { GATEWAY_SERVICE, busReportSink } from './gateway-events';
import { ConnectionLimits, DEFAULT_CONNECTION_LIMITS } from './http-listener';
import { ListeningAddress, localInterfaceAddresses } from './own-origin';
import { RoutingPolicyOutcome } from './routing-policy-update';
import { registerRequestOutcomes } from './request-outcomes';
import { VirtualHostLoaders } from './virtual-host-loaders';
import { VirtualHostSpec } from './virtual-hosts';

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
  /**
   * Several stacks and environments, each chosen by Host or path prefix and ACKed on its own
   * (instead of `stack` and `environment`); unset: one stack, for every request.
   */
  virtualHosts?: readonly VirtualHostSpec[];
  /** Time and chance as every part reads them; the system's by default. */
  clock?: Clock;
  random?: Random;
}

/** Where the gateway listens once started. */
export interface GatewayPorts {
  port: number;
  adminPort: number;
}

/**
 * The gateway in one process, assembled from one part per job (as Envoy is): the data plane (the
 * connection manager and router, the cluster manager, outlier detection, health checks, the KPI and
 * routing-mode sinks), the config subscription and its loader (ACK/NACK, last-known-good) and the
 * admin listener. This class only wires them and runs their lifecycle. It serves the last routing
 * config it accepted, from disk after a restart, so it keeps routing while the control plane, the
 * bus or PostgreSQL is down (static stability). `GatewaySupervisor` runs the same parts across
 * cluster workers.
 */
export class Gateway {
  private readonly logger: Logger;
  private readonly dataPlane: DataPlane;
  private readonly admin: AdminListener;
  private readonly loaders: VirtualHostLoaders;
  private readonly subscription: ConfigSubscription;
  private readonly releaseOutcomes: () => void;
  private listening: ListeningAddress | undefined;

  constructor(private readonly options: GatewayOptions) {
    this.logger = new Logger('gateway').child({ gatewayId: options.gatewayId });
    const limits = { ...DEFAULT_CONNECTION_LIMITS, ...options.limits };
    const { outcomes, release } = registerRequestOutcomes();
    this.releaseOutcomes = release;
    this.dataPlane = new DataPlane({
      gatewayId: options.gatewayId,
      location: options.location ?? 'production',
      limits,
      kpiFlushMs: options.kpiFlushMs ?? 1_000,
      clock: options.clock ?? systemClock,
      random: options.random ?? systemRandom,
      report: busReportSink(options.bus, this.logger),
      outcomes,
      logger: this.logger,
      ...(options.virtualHosts ? { virtualHosts: options.virtualHosts } : {}),
    });
    this.loaders = new VirtualHostLoaders(
      { ...options, stateDir: options.stateDir ?? join('.strata', 'gateway', options.gatewayId), logger: this.logger },
      {
        served: (index) => this.dataPlane.hosts[index]?.routing?.update,
        listening: () => this.listening,
        compile: (update) => this.dataPlane.compile(update),
        install: (index, compiled) => this.dataPlane.install(index, compiled),
      },
    );
    this.subscription = new ConfigSubscription({
      gatewayId: options.gatewayId,
      bus: options.bus,
      accepts: (published) => this.loaders.accepts(published),
      apply: (published) => this.loaders.apply(published),
      retryMs: options.busRetryMs ?? 5_000,
      logger: this.logger,
    });
    this.admin = new AdminListener({ '/health': () => this.healthAnswer(), '/metrics': () => metricsAnswer() }, limits, (refusal) => outcomes.count(refusal), this.logger);
  }

  /** Loads the last-known-good config, listens on both ports and joins the bus in the background. */
  async start(): Promise<GatewayPorts> {
    this.options.health.register(GATEWAY_SERVICE, 'bus', () => this.options.bus.probe());
    this.loaders.loadLastKnownGood();
    const port = await this.dataPlane.start(this.options.port, this.options.host);
    const adminHost = this.options.admin.host ?? this.options.host;
    let adminPort: number;
    try {
      adminPort = await this.admin.start(this.options.admin.port, adminHost);
    } catch (error: unknown) {
      await this.dataPlane.stop();
      throw error;
    }
    // Known before any config arrives from the bus: a config pointing at this gateway is refused.
    this.listening = { host: this.options.host, port, localAddresses: localInterfaceAddresses() };
    this.subscription.start();
    this.logger.info('gateway listening', { host: this.options.host, port, adminHost, adminPort, routingVersion: this.routingVersion });
    return { port, adminPort };
  }

  async stop(): Promise<void> {
    await this.subscription.stop();
    await Promise.all([this.dataPlane.stop(), this.admin.stop(), this.loaders.flushed()]);
    this.releaseOutcomes();
  }

  /** The version being served (of the first virtual host), or null before any config arrived. */
  get routingVersion(): number | null {
    return this.dataPlane.hosts[0]?.routing?.version ?? null;
  }

  /** The version served for each virtual host, as /health reports it. */
  get servedVersions(): ServedVersion[] {
    return this.dataPlane.hosts.flatMap(({ spec, routing }) => (spec ? [{ stack: spec.stack, environment: spec.environment, routingVersion: routing?.version ?? null }] : []));
  }

  /**
   * The loader API: validates and applies a routing config, queueing it as last-known-good.
   * Returns the ACK or the NACK payload. An invalid or stale config is refused and the current one
   * kept. routing-control calls it through `io.strata.routing.config.published.v1`.
   */
  applyRoutingPolicy(update: unknown): RoutingPolicyOutcome {
    return this.loaders.apply(update);
  }

  /** Resolves once the last-known-good files hold every config applied so far. */
  persisted(): Promise<void> {
    return this.loaders.flushed();
  }

  private healthAnswer(): Promise<AdminAnswer> {
    return gatewayHealthAnswer(this.options.health, this.options.gatewayId, this.routingVersion, this.servedVersions);
  }
}

export interface ServedVersion {
  stack: string;
  environment: string;
  routingVersion: number | null;
}

/**
 * Ready (200) means able to route: a routing config for its stack, or for one of its virtual hosts,
 * from the bus or the last-known-good file. A bus that is down leaves it serving (static stability):
 * `degraded`, still 200, so a readiness probe does not take every gateway out of service during a
 * broker outage. No config anywhere: 503, since every request would be refused.
 * `virtualHosts`: empty on a gateway of one stack.
 */
export async function gatewayHealthAnswer(health: HealthRegistry, gatewayId: string, routingVersion: number | null, virtualHosts: readonly ServedVersion[]): Promise<AdminAnswer> {
  const report = await health.report();
  const { checks } = report.services[GATEWAY_SERVICE] ?? { checks: {} };
  const serving = routingVersion !== null || virtualHosts.some((host) => host.routingVersion !== null);
  const busUp = Object.values(checks).every((check) => check.status === 'up');
  const status = !serving ? 'down' : busUp ? 'up' : 'degraded';
  const body = JSON.stringify({ gatewayId, routingVersion, ...(virtualHosts.length > 0 ? { virtualHosts } : {}), status, serving, checks });
  return { status: serving ? 200 : 503, contentType: 'application/json', body };
}

async function metricsAnswer(): Promise<AdminAnswer> {
  return { status: 200, contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
}
