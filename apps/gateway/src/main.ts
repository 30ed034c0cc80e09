import cluster from 'node:cluster';
import { Gateway, GatewayConfig, GatewayOptions, GatewaySupervisor, GatewayWorker, readGatewayConfig } from '@strata/gateway';
import { loadConfigOrExit, readLogLevel } from '@strata/config';
import { EventBus, createEventBus } from '@strata/messaging';
import { HealthRegistry, Logger, setLogLevel } from '@strata/observability';
import { exitOnFatalError, portInUseProblem, stopOnSignals } from '@strata/runtime';

/** One process (STRATA_GATEWAY_WORKERS=1), or the supervisor of that many workers running this same entry. */
async function main(): Promise<void> {
  if (cluster.isWorker) {
    // Its options come from the supervisor, so every worker serves exactly as it was told; it reads
    // no bus or database setting of its own (the supervisor holds the bus).
    setLogLevel(loadConfigOrExit(() => readLogLevel(), 'strata-gateway-worker'));
    const worker = GatewayWorker.fromEnvironment();
    worker.start();
    stopOnSignals('strata-gateway-worker', () => worker.stop());
    return;
  }
  const config = loadConfigOrExit(() => readGatewayConfig(), 'strata-gateway');
  setLogLevel(config.logLevel);
  const bus = createEventBus(config.bus);
  const options = gatewayOptions(config, bus);
  const gateway = config.workers > 1 ? new GatewaySupervisor({ ...options, workers: config.workers }) : new Gateway(options);
  // Static stability: the gateway serves its last-known-good config at once, bus or not; the bus
  // connects behind it (its subscription retries until it can join, publishes connect on demand).
  try {
    await gateway.start();
  } catch (error: unknown) {
    const inUse = portInUseProblem(error, { PORT: config.port, STRATA_GATEWAY_ADMIN_PORT: config.admin.port });
    if (!inUse) throw error;
    process.stderr.write(`strata-gateway: ${inUse}\n`);
    process.exit(78); // a setting to change, as config errors (EX_CONFIG)
  }
  const stopping = new AbortController();
  void startBusBehind(bus, stopping.signal);
  stopOnSignals('strata-gateway', async () => {
    stopping.abort();
    await gateway.stop();
    await bus.stop();
  });
}

/** How often a gateway started without its bus tries it again. */
const BUS_RETRY_MS = 5_000;

/** Starts the bus (topics, producer) until it succeeds, saying once that it is down and once that it is back. */
async function startBusBehind(bus: EventBus, signal: AbortSignal): Promise<void> {
  const logger = new Logger('strata-gateway');
  for (let attempt = 0; !signal.aborted; attempt++) {
    try {
      await bus.start();
      if (attempt > 0) logger.info('the bus is back; routing configs and KPI flushes flow again');
      return;
    } catch (error: unknown) {
      if (attempt === 0) logger.warn('the bus is down; serving from the last-known-good config and connecting behind it', { error: String(error) });
      await new Promise((resolve) => setTimeout(resolve, BUS_RETRY_MS).unref());
    }
  }
}

function gatewayOptions(config: GatewayConfig, bus: EventBus): GatewayOptions {
  return {
    gatewayId: config.gatewayId,
    host: config.host,
    port: config.port,
    admin: config.admin,
    limits: config.limits,
    bus,
    health: new HealthRegistry(),
    stateDir: config.stateDir,
    location: config.location,
    ...(config.stack ? { stack: config.stack } : {}),
    ...(config.environment ? { environment: config.environment } : {}),
    ...(config.virtualHosts ? { virtualHosts: config.virtualHosts } : {}),
  };
}

exitOnFatalError('strata-gateway');
main().catch((error: unknown) => {
  new Logger('strata-gateway').error('failed to start', error);
  process.exit(1);
});
