import { Gateway, readGatewayConfig } from '@strata/gateway';
import { loadConfigOrExit } from '@strata/config';
import { createEventBus } from '@strata/messaging';
import { HealthRegistry, Logger, setLogLevel } from '@strata/observability';
import { exitOnFatalError, stopOnSignals } from '@strata/runtime';

async function main(): Promise<void> {
  const config = loadConfigOrExit(() => readGatewayConfig(), 'strata-gateway');
  setLogLevel(config.logLevel);
  const bus = createEventBus(config.bus);
  await bus.start();
  const gateway = new Gateway({ gatewayId: config.gatewayId, host: config.host, port: config.port, bus, health: new HealthRegistry() });
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
