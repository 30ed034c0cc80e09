import cluster from 'node:cluster';
import { Gateway, GatewayConfig, GatewayOptions, GatewaySupervisor, GatewayWorker, readGatewayConfig } from '@strata/gateway';
import { loadConfigOrExit, readLogLevel } from '@strata/config';
import { EventBus, createEventBus } from '@strata/messaging';
import { HealthRegistry, Logger, setLogLevel } from '@strata/observability';
import { exitOnFatalError, stopOnSignals } from '@strata/runtime';

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
  // Static stability: with the bus down the gateway still serves its last-known-good config.
  await bus.start().catch((error: unknown) => new Logger('strata-gateway').warn('the bus is down; serving from the last-known-good config', { error: String(error) }));
  const options = gatewayOptions(config, bus);
  const gateway = config.workers > 1 ? new GatewaySupervisor({ ...options, workers: config.workers }) : new Gateway(options);
  await gateway.start();
  stopOnSignals('strata-gateway', async () => {
    await gateway.stop();
    await bus.stop();
  });
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
