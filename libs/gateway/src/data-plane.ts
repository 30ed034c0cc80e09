import { Server } from 'node:http';
import { Logger } from '@strata/observability';
import { CompiledRoutingPolicy } from './compiled-routing-policy';
import { Clock, Random } from './clock';
import { ClusterManager } from './cluster-manager';
import { ConnectionManager } from './connection-manager';
import { ReportSink, reportRoutingModeChange } from './gateway-events';
import { HealthChecker } from './health-checker';
import { ConnectionLimits, close, createListener, listen } from './http-listener';
import { KpiFlushSink } from './kpi-flush-sink';
import { OutlierDetector } from './outlier-detector';
import { ValidRoutingPolicyUpdate } from './routing-policy-update';
import { RoutingModeReport } from './routing-mode-report';
import { RequestOutcomes } from './request-outcomes';
import { VersionDiscovery } from './version-discovery';

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
}

const AVAILABILITY_REFRESH_MS = 200;

/**
 * What serves requests, in one process or in each cluster worker: the data listener, the
 * connection manager, the pools, outlier detection, health checks and the KPI and routing-mode
 * sinks, all on one routing config at a time. Which configs reach it, and the admin port, are the
 * business of whoever runs it (a standalone Gateway or the worker supervisor).
 */
export class DataPlane {
  readonly cluster = new ClusterManager();
  private readonly server: Server;
  private readonly connections: ConnectionManager;
  private readonly routingMode: RoutingModeReport;
  private readonly outliers: OutlierDetector;
  private readonly healthChecker: HealthChecker;
  private readonly kpis: KpiFlushSink;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly options: DataPlaneOptions) {
    const { clock, report, logger } = options;
    this.routingMode = new RoutingModeReport(options.gatewayId);
    const onModeMayHaveChanged = (routing: CompiledRoutingPolicy): void => {
      if (routing === this.connections.routing) {
        reportRoutingModeChange(this.routingMode.observe(routing), report, logger);
      }
    };
    this.outliers = new OutlierDetector(clock, logger, onModeMayHaveChanged);
    const versions = new VersionDiscovery(options.location, report, logger);
    this.healthChecker = new HealthChecker(this.outliers, versions);
    this.kpis = new KpiFlushSink(clock, report, onModeMayHaveChanged);
    this.connections = new ConnectionManager({ clock, outcomes: options.outcomes, outliers: this.outliers, versions, routingMode: this.routingMode, logger });
    this.server = createListener(options.limits, this.connections.handle, (refusal) => options.outcomes.count(refusal));
  }

  /** The routing served, if any. */
  get routing(): CompiledRoutingPolicy | undefined {
    return this.connections.routing;
  }

  /** Listens (port 0: a free one; in a cluster worker, the port all workers share) and starts the timers. */
  async start(port: number, host: string): Promise<number> {
    const bound = await listen(this.server, port, host);
    this.timers.push(setInterval(() => this.kpis.flush(this.connections.routing), this.options.kpiFlushMs));
    this.timers.push(setInterval(() => this.connections.routing && this.outliers.refresh(this.connections.routing), AVAILABILITY_REFRESH_MS));
    this.timers.forEach((timer) => timer.unref());
    return bound;
  }

  async stop(): Promise<void> {
    this.timers.forEach((timer) => clearInterval(timer));
    this.healthChecker.stop();
    await close(this.server);
    await this.cluster.destroy();
  }

  /** The config compiled for the request path; on failure the pools it opened are closed again. */
  compile(update: ValidRoutingPolicyUpdate): CompiledRoutingPolicy {
    try {
      return new CompiledRoutingPolicy(update, (url) => this.cluster.poolFor(url), this.options.clock.now(), this.options.random);
    } catch (error: unknown) {
      this.cluster.retainOnly(this.connections.routing?.nodes.map((node) => node.url) ?? []);
      throw error;
    }
  }

  install(compiled: CompiledRoutingPolicy): void {
    const previous = this.connections.routing;
    this.connections.routing = compiled;
    if (previous) {
      this.kpis.retire(previous);
    }
    this.cluster.retainOnly(compiled.nodes.map((node) => node.url));
    this.healthChecker.watch(compiled);
    const { stack, environment, version } = compiled.update;
    this.options.logger.info('routing config applied', { stack, environment, version });
    reportRoutingModeChange(this.routingMode.install(compiled), this.options.report, this.options.logger);
  }
}
