import { Server } from 'node:http';
import { Logger } from '@strata/observability';
import { CompiledRoutingPolicy } from './compiled-routing-policy';
import { Clock, Random } from './clock';
import { ClusterManager, DEFAULT_UPSTREAM_POOL_SETTINGS } from './cluster-manager';
import { ConnectionManager } from './connection-manager';
import { RoutedHost } from './request-router';
import { ReportSink, reportRoutingModeChange } from './gateway-events';
import { HealthChecker } from './health-checker';
import { ConnectionLimits, close, createListener, listen } from './http-listener';
import { KpiFlushSink } from './kpi-flush-sink';
import { OutlierDetector } from './outlier-detector';
import { ValidRoutingPolicyUpdate } from './routing-policy-update';
import { RoutingModeReport } from './routing-mode-report';
import { RequestOutcomes } from './request-outcomes';
import { UpgradeTunnels } from './upgrade-tunnels';
import { watchCallerConnection } from './upstream-response-handler';
import { VersionDiscovery } from './version-discovery';
import { VirtualHostSpec, VirtualHostTable } from './virtual-hosts';

export interface DataPlaneOptions {
  gatewayId: string;
  location: 'staging' | 'production';
  limits: ConnectionLimits;
  kpiFlushMs: number;
  clock: Clock;
  random: Random;
  /** Where KPIs, mode changes and version mismatches go. */
  report: ReportSink;
  outcomes: RequestOutcomes;
  logger: Logger;
  /** The stacks and environments served, chosen by Host or path prefix; unset: one, for every request. */
  virtualHosts?: readonly VirtualHostSpec[];
}

const AVAILABILITY_REFRESH_MS = 200;

/** One stack and environment the data plane serves: its routing, routing-mode sink and health checks. */
export class VirtualHost implements RoutedHost {
  routing: CompiledRoutingPolicy | undefined;

  constructor(
    /** Undefined on a gateway serving one stack (pinned by its options, or the first config given). */
    readonly spec: VirtualHostSpec | undefined,
    readonly mode: RoutingModeReport,
    readonly health: HealthChecker,
  ) {}
}

/**
 * What serves requests, in one process or in each cluster worker: the data listener, the
 * connection manager, the pools, outlier detection, health checks and the KPI and routing-mode
 * sinks, each virtual host (stack and environment) on one routing config at a time. Which configs
 * reach it, and the admin port, are the business of whoever runs it (a standalone Gateway or the
 * worker supervisor).
 */
export class DataPlane {
  readonly cluster = new ClusterManager();
  /** Upgraded connections (WebSocket), each to the node its upgrade request was routed to. */
  readonly tunnels = new UpgradeTunnels(DEFAULT_UPSTREAM_POOL_SETTINGS.headersTimeoutMs);
  /** One per stack and environment served, in the order of the options' virtual hosts. */
  readonly hosts: readonly VirtualHost[];
  private readonly server: Server;
  private readonly connections: ConnectionManager;
  private readonly outliers: OutlierDetector;
  private readonly kpis: KpiFlushSink;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly options: DataPlaneOptions) {
    const { clock, report, logger } = options;
    const onModeMayHaveChanged = (routing: CompiledRoutingPolicy): void => {
      const host = this.hosts.find((candidate) => candidate.routing === routing);
      if (host) {
        reportRoutingModeChange(host.mode.observe(routing), report, logger);
      }
    };
    this.outliers = new OutlierDetector(clock, logger, onModeMayHaveChanged);
    const versions = new VersionDiscovery(options.location, report, logger);
    const specs = options.virtualHosts;
    this.hosts = (specs ?? [undefined]).map((spec) => new VirtualHost(spec, new RoutingModeReport(options.gatewayId), new HealthChecker(this.outliers, versions)));
    this.kpis = new KpiFlushSink(clock, report, onModeMayHaveChanged);
    const hosts = new VirtualHostTable(this.hosts, specs);
    this.connections = new ConnectionManager({ clock, outcomes: options.outcomes, outliers: this.outliers, versions, hosts, tunnels: this.tunnels, logger });
    this.server = createListener(options.limits, this.connections.handle, (refusal) => options.outcomes.count(refusal), this.connections.upgrade);
    this.server.on('connection', watchCallerConnection);
  }

  /** The routing served for each virtual host that has one. */
  get served(): CompiledRoutingPolicy[] {
    return this.hosts.flatMap((host) => host.routing ?? []);
  }

  /** Listens (port 0: a free one; in a cluster worker, the port all workers share) and starts the timers. */
  async start(port: number, host: string): Promise<number> {
    const bound = await listen(this.server, port, host);
    this.timers.push(setInterval(() => this.kpis.flush(this.served), this.options.kpiFlushMs));
    this.timers.push(setInterval(() => this.served.forEach((routing) => this.outliers.refresh(routing)), AVAILABILITY_REFRESH_MS));
    this.timers.forEach((timer) => timer.unref());
    return bound;
  }

  async stop(): Promise<void> {
    this.timers.forEach((timer) => clearInterval(timer));
    this.hosts.forEach((host) => host.health.stop());
    // node:http no longer tracks an upgraded connection, and the server would wait for it to end.
    this.tunnels.closeAll();
    await close(this.server);
    await this.cluster.destroy();
  }

  /** The config compiled for the request path; on failure the pools it opened are closed again. */
  compile(update: ValidRoutingPolicyUpdate): CompiledRoutingPolicy {
    try {
      return new CompiledRoutingPolicy(update, (url) => this.cluster.poolFor(url), this.options.clock.now(), this.options.random);
    } catch (error: unknown) {
      this.retainServedPools();
      throw error;
    }
  }

  /** Serves `compiled` for the virtual host at `index` of `hosts`. */
  install(index: number, compiled: CompiledRoutingPolicy): void {
    const host = this.hosts[index];
    if (!host) {
      throw new Error(`no virtual host ${index}: this data plane serves ${this.hosts.length}`);
    }
    const previous = host.routing;
    host.routing = compiled;
    if (previous) {
      this.kpis.retire(previous);
    }
    // Pools are shared by origin across virtual hosts: only those no served routing names close.
    this.retainServedPools();
    host.health.watch(compiled);
    const { stack, environment, version } = compiled.update;
    const tunnelsClosed = this.connections.retainTunnels(host, compiled);
    this.options.logger.info('routing config applied', { stack, environment, version, ...(tunnelsClosed > 0 ? { tunnelsClosed } : {}) });
    reportRoutingModeChange(host.mode.install(compiled), this.options.report, this.options.logger);
  }

  private retainServedPools(): void {
    this.cluster.retainOnly(this.served.flatMap((routing) => routing.nodes.map((node) => node.url)));
  }
}
