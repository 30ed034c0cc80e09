import { Gateway, readGatewayConfig } from '@strata/gateway';
import { loadConfigOrExit } from '@strata/config';
import { createEventBus } from '@strata/messaging';
import { HealthRegistry, Logger, setLogLevel } from '@strata/observability';
import { exitOnFatalError, stopOnSignals } from '@strata/runtime';

async function main(): Promise<void> {
  const config = loadConfigOrExit(() => readGatewayConfig(), 'strata-gateway');
  setLogLevel(config.logLevel);
  const bus = createEventBus(config.bus);
  // Static stability: with the bus down the gateway still serves its last-known-good config.
  await bus.start().catch((error: unknown) => new Logger('strata-gateway').warn('the bus is down; serving from the last-known-good config', { error: String(error) }));
  const gateway = new Gateway({
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
  });
  await gateway.start();
  stopOnSignals('strata-gateway', async () => {
    await gateway.stop();
    await bus.stop();
  });
}

exitOnFatalError('strata-gateway');
main().catch((error: unknown) => {
  new Logger('strata-gateway').error('failed to start', error);
  process.exit(1);
});
