import cluster, { ClusterSettings, Worker } from 'node:cluster';
import { join } from 'node:path';
import { AggregatorRegistry } from 'prom-client';
import { Logger } from '@strata/observability';
import { AdminAnswer, AdminListener } from './admin-listener';
import { CompiledRoutingPolicy } from './compiled-routing-policy';
import { systemClock, systemRandom } from './clock';
import { ClusterManager } from './cluster-manager';
import { ConfigSubscription } from './config-subscription';
import { GATEWAY_SERVICE, ReportSink, busReportSink } from './gateway-events';
import { GatewayOptions, GatewayPorts, ServedVersion, gatewayHealthAnswer } from './gateway';
import { GatewayWorkerOptions, SupervisorMessage, WORKER_OPTIONS_VARIABLE, WorkerMessage, isWorkerMessage } from './gateway-worker';
import { DEFAULT_CONNECTION_LIMITS } from './http-listener';
import { ListeningAddress, localInterfaceAddresses } from './own-origin';
import { RoutingPolicyOutcome, ValidRoutingPolicyUpdate } from './routing-policy-update';
import { VirtualHostLoaders } from './virtual-host-loaders';

export interface GatewaySupervisorOptions extends GatewayOptions {
  workers: number;
  /** How workers are started (`cluster.setupPrimary`); by default this process's own entry again. */
  workerSettings?: ClusterSettings;
}

const WORKER_STOP_GRACE_MS = 5_000;

/**
 * The gateway across cores (node `cluster`, round-robin over the shared data port). The
 * supervisor is the gateway as the control plane sees it: it joins the bus, validates each routing
 * config, ACKs or NACKs it once for all workers (per virtual host), keeps the last-known-good files
 * and hands every accepted config to every worker. It serves the admin port, with the workers' metrics summed,
 * publishes what the workers report, and replaces a worker that dies while the others keep serving.
 */
export class GatewaySupervisor {
  private readonly logger: Logger;
  private readonly loaders: VirtualHostLoaders;
  private readonly subscription: ConfigSubscription;
  private readonly admin: AdminListener;
  private readonly aggregator = new AggregatorRegistry();
  /** Pools the supervisor opens only to prove a config compiles; it never sends a request. */
  private readonly validation = new ClusterManager();
  private readonly workers = new Set<Worker>();
  /** Per virtual host, the config served (one entry on a gateway of one stack). */
  private readonly served: Array<ValidRoutingPolicyUpdate | undefined>;
  private listening: ListeningAddress | undefined;
  private readonly report: ReportSink;
  private stopping = false;

  constructor(private readonly options: GatewaySupervisorOptions) {
    this.logger = new Logger('gateway').child({ gatewayId: options.gatewayId, supervisor: true });
    this.served = (options.virtualHosts ?? [undefined]).map(() => undefined);
    this.loaders = new VirtualHostLoaders(
      { ...options, stateDir: options.stateDir ?? join('.strata', 'gateway', options.gatewayId), logger: this.logger },
      {
        served: (index) => this.served[index],
        listening: () => this.listening,
        compile: (update) => this.compile(update),
        install: (index, compiled) => this.install(index, compiled.update),
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
    this.report = busReportSink(options.bus, this.logger);
    const limits = { ...DEFAULT_CONNECTION_LIMITS, ...options.limits };
    // /metrics shows the workers' counters; what the admin port itself refuses is not among them.
    this.admin = new AdminListener({ '/health': () => this.healthAnswer(), '/metrics': () => this.metricsAnswer() }, limits, () => undefined, this.logger);
  }

  async start(): Promise<GatewayPorts> {
    this.options.health.register(GATEWAY_SERVICE, 'bus', () => this.options.bus.probe());
    this.loaders.loadLastKnownGood();
    if (this.options.workerSettings) {
      cluster.setupPrimary(this.options.workerSettings);
    }
    cluster.on('exit', this.onWorkerExit);
    const ports = Array.from({ length: this.options.workers }, () => this.fork());
    const port = await ports[0];
    await Promise.all(ports);
    const adminHost = this.options.admin.host ?? this.options.host;
    const adminPort = await this.admin.start(this.options.admin.port, adminHost);
    this.listening = { host: this.options.host, port, localAddresses: localInterfaceAddresses() };
    this.subscription.start();
    this.logger.info('gateway listening', { host: this.options.host, port, adminHost, adminPort, workers: this.options.workers, routingVersion: this.routingVersion });
    return { port, adminPort };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    cluster.off('exit', this.onWorkerExit);
    await this.subscription.stop();
    await Promise.all([...this.workers].map((worker) => stopWorker(worker)));
    await Promise.all([this.admin.stop(), this.loaders.flushed(), this.validation.destroy()]);
  }

  /** The loader API, as Gateway's: an accepted config is ACKed once and handed to every worker. */
  applyRoutingPolicy(update: unknown): RoutingPolicyOutcome {
    return this.loaders.apply(update);
  }

  get routingVersion(): number | null {
    return this.served[0]?.version ?? null;
  }

  get servedVersions(): ServedVersion[] {
    return (this.options.virtualHosts ?? []).map(({ stack, environment }, index) => ({ stack, environment, routingVersion: this.served[index]?.version ?? null }));
  }

  /** The process ids of the workers serving now. */
  get workerPids(): number[] {
    return [...this.workers].map((worker) => worker.process.pid as number);
  }

  /** Starts a worker; resolves with the data port once it serves. */
  private fork(): Promise<number> {
    const { gatewayId, host, port, limits, location, kpiFlushMs, virtualHosts } = this.options;
    const workerOptions: GatewayWorkerOptions = {
      gatewayId,
      host,
      port,
      limits: { ...DEFAULT_CONNECTION_LIMITS, ...limits },
      location: location ?? 'production',
      ...(kpiFlushMs ? { kpiFlushMs } : {}),
      ...(virtualHosts ? { virtualHosts } : {}),
    };
    const worker = cluster.fork({ [WORKER_OPTIONS_VARIABLE]: JSON.stringify(workerOptions) });
    this.workers.add(worker);
    const ready = new Promise<number>((resolve, reject) => {
      worker.once('exit', (code) => reject(new Error(`gateway worker ${worker.process.pid} exited with ${code} before serving`)));
      worker.on('message', (message: unknown) => {
        if (isWorkerMessage(message) && message.kind === 'strata-gateway:failed') {
          reject(Object.assign(new Error(message.reason), message.code ? { code: message.code } : {}));
        } else if (isWorkerMessage(message)) {
          this.onWorkerMessage(worker, message, resolve);
        }
      });
    });
    return ready;
  }

  private onWorkerMessage(worker: Worker, message: WorkerMessage, ready: (port: number) => void): void {
    switch (message.kind) {
      case 'strata-gateway:hello':
        sendTo(worker, { kind: 'strata-gateway:install', updates: this.served.map((update) => update ?? null) });
        return;
      case 'strata-gateway:ready':
        ready(message.port);
        return;
      case 'strata-gateway:report':
        this.report(message.messages);
        return;
      case 'strata-gateway:refused':
        this.logger.error('a gateway worker could not install a routing config', undefined, { worker: worker.process.pid, version: message.version, reason: message.reason });
        return;
      case 'strata-gateway:failed':
        return; // answered by the start (fork's promise)
    }
  }

  private readonly onWorkerExit = (worker: Worker, code: number | null, signal: string | null): void => {
    if (!this.workers.delete(worker) || this.stopping) {
      return;
    }
    this.logger.warn('gateway worker died; starting another', { worker: worker.process.pid, code, signal });
    this.fork().catch((error: unknown) => this.logger.error('could not replace a gateway worker', error));
  };

  private compile(update: ValidRoutingPolicyUpdate): CompiledRoutingPolicy {
    try {
      return new CompiledRoutingPolicy(update, (url) => this.validation.poolFor(url), systemClock.now(), systemRandom);
    } finally {
      this.validation.retainOnly(this.served.flatMap((served) => served?.config.stackConfigs.flatMap((stackConfig) => stackConfig.nodes.map((node) => node.url)) ?? []));
    }
  }

  private install(index: number, update: ValidRoutingPolicyUpdate): void {
    this.served[index] = update;
    const updates = this.served.map((served) => served ?? null);
    // Every host's config goes along: a worker installs only those whose version it does not serve.
    this.workers.forEach((worker) => sendTo(worker, { kind: 'strata-gateway:install', updates }));
    this.logger.info('routing config handed to every worker', { stack: update.stack, environment: update.environment, version: update.version, workers: this.workers.size });
  }

  private healthAnswer(): Promise<AdminAnswer> {
    return gatewayHealthAnswer(this.options.health, this.options.gatewayId, this.routingVersion, this.servedVersions);
  }

  private async metricsAnswer(): Promise<AdminAnswer> {
    const body = await this.aggregator.clusterMetrics();
    return { status: 200, contentType: this.aggregator.contentType, body };
  }
}

function sendTo(worker: Worker, message: SupervisorMessage): void {
  if (worker.isConnected()) {
    worker.send(message);
  }
}

/** Graceful first (the worker closes its listener and finishes what is in flight), then forced. */
async function stopWorker(worker: Worker): Promise<void> {
  if (worker.isDead()) {
    return;
  }
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const force = setTimeout(() => worker.process.kill('SIGKILL'), WORKER_STOP_GRACE_MS);
  worker.process.kill('SIGTERM');
  await exited;
  clearTimeout(force);
}
