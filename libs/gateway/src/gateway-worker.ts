import { OutgoingMessage } from '@strata/messaging';
import { AggregatorRegistry } from 'prom-client';
import { Logger, metricsRegistry } from '@strata/observability';
import { systemClock, systemRandom } from './clock';
import { DataPlane } from './data-plane';
import { ConnectionLimits } from './http-listener';
import { registerRequestOutcomes } from './request-outcomes';
import { ValidRoutingPolicyUpdate } from './routing-policy-update';
import { VirtualHostSpec } from './virtual-hosts';

/** What the supervisor and its workers say to each other over the cluster's IPC channel. */
/** `updates`: per virtual host (one on a gateway of one stack), the config served or null. */
export type SupervisorMessage = { kind: 'strata-gateway:install'; updates: Array<ValidRoutingPolicyUpdate | null> };
export type WorkerMessage =
  | { kind: 'strata-gateway:hello' }
  | { kind: 'strata-gateway:ready'; port: number }
  | { kind: 'strata-gateway:report'; messages: OutgoingMessage[] }
  | { kind: 'strata-gateway:refused'; version: number; reason: string }
  /** The data port could not be opened (taken, not allowed): the worker exits after saying so. */
  | { kind: 'strata-gateway:failed'; reason: string; code?: string };

export function isSupervisorMessage(message: unknown): message is SupervisorMessage {
  return typeof message === 'object' && message !== null && (message as { kind?: unknown }).kind === 'strata-gateway:install';
}

export function isWorkerMessage(message: unknown): message is WorkerMessage {
  const kind = typeof message === 'object' && message !== null ? (message as { kind?: unknown }).kind : undefined;
  return typeof kind === 'string' && kind.startsWith('strata-gateway:') && kind !== 'strata-gateway:install';
}

/** The variable through which the supervisor hands a worker its options. */
export const WORKER_OPTIONS_VARIABLE = 'STRATA_GATEWAY_WORKER_OPTIONS';

export interface GatewayWorkerOptions {
  gatewayId: string;
  host: string;
  port: number;
  limits: ConnectionLimits;
  location: 'staging' | 'production';
  kpiFlushMs?: number;
  virtualHosts?: readonly VirtualHostSpec[];
}

/**
 * One cluster worker: a data plane on the data port every worker shares, serving the routing
 * config the supervisor validated, ACKed and persisted. Its reports (KPIs, mode changes, version
 * mismatches) go to the supervisor, which publishes them; its Prometheus metrics are summed with
 * the other workers' on the supervisor's admin port.
 */
export class GatewayWorker {
  private readonly dataPlane: DataPlane;
  private readonly logger: Logger;
  private started = false;

  /** The worker the supervisor forked this process to be. */
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): GatewayWorker {
    const options = env[WORKER_OPTIONS_VARIABLE];
    if (!options) {
      throw new Error(`${WORKER_OPTIONS_VARIABLE} is not set: a gateway worker is started by the gateway supervisor`);
    }
    return new GatewayWorker(JSON.parse(options) as GatewayWorkerOptions);
  }

  constructor(private readonly options: GatewayWorkerOptions) {
    this.logger = new Logger('gateway').child({ gatewayId: options.gatewayId, worker: process.pid });
    AggregatorRegistry.setRegistries([metricsRegistry]);
    // Answers the supervisor's requests for this worker's metrics.
    new AggregatorRegistry();
    this.dataPlane = new DataPlane({
      gatewayId: options.gatewayId,
      location: options.location,
      limits: options.limits,
      kpiFlushMs: options.kpiFlushMs ?? 1_000,
      clock: systemClock,
      random: systemRandom,
      report: (messages) => send({ kind: 'strata-gateway:report', messages }),
      outcomes: registerRequestOutcomes().outcomes,
      logger: this.logger,
      ...(options.virtualHosts ? { virtualHosts: options.virtualHosts } : {}),
    });
  }

  /** Asks the supervisor for the config served, installs it, then listens. */
  start(): void {
    process.on('message', (message: unknown) => {
      if (isSupervisorMessage(message)) {
        void this.onInstall(message.updates);
      }
    });
    send({ kind: 'strata-gateway:hello' });
  }

  stop(): Promise<void> {
    return this.dataPlane.stop();
  }

  private async onInstall(updates: ReadonlyArray<ValidRoutingPolicyUpdate | null>): Promise<void> {
    updates.forEach((update, index) => {
      if (!update || update.version === this.dataPlane.hosts[index]?.routing?.version) {
        return;
      }
      try {
        this.dataPlane.install(index, this.dataPlane.compile(update));
      } catch (error: unknown) {
        // The supervisor compiled the same config; this is a worker-local fault worth shouting.
        this.logger.error('could not install the routing config the supervisor sent', error, { stack: update.stack, environment: update.environment, version: update.version });
        send({ kind: 'strata-gateway:refused', version: update.version, reason: String(error) });
      }
    });
    if (!this.started) {
      this.started = true;
      try {
        const port = await this.dataPlane.start(this.options.port, this.options.host);
        send({ kind: 'strata-gateway:ready', port });
      } catch (error: unknown) {
        // Without its port a worker serves nothing: the supervisor must hear why rather than wait for ever.
        const code = (error as NodeJS.ErrnoException).code;
        const failed: WorkerMessage = { kind: 'strata-gateway:failed', reason: error instanceof Error ? error.message : String(error), ...(code ? { code } : {}) };
        process.send?.(failed, undefined, undefined, () => process.exit(1));
      }
    }
  }
}

function send(message: WorkerMessage): void {
  process.send?.(message);
}
