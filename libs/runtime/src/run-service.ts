import { DynamicModule, INestApplication, Module } from '@nestjs/common';
import { DEFAULT_SERVICE_PORTS, ServiceModuleOptions, loadConfigOrExit, readServiceConfig } from '@strata/config';
import { BusModule, KnownTokens, createEventBus } from '@strata/messaging';
import { Logger, ObservabilityModule, TokenLookup, configuredTokens, createApi, setLogLevel } from '@strata/observability';
import { portInUseProblem } from './ports';
import { closeApi, exitOnFatalError, stopOnSignals } from './shutdown';

export interface StandaloneService {
  service: keyof typeof DEFAULT_SERVICE_PORTS;
  description: string;
  module: (options: ServiceModuleOptions) => DynamicModule;
  /**
   * Where this service finds issued tokens: the registry, its own table. Every other service
   * reads its `known_tokens` projection of the registry's `token.changed` events (the default):
   * none reads the registry's tables.
   */
  tokens?: (app: INestApplication) => TokenLookup;
}

@Module({})
class StandaloneRootModule {}

/** Runs one service as its own process (distributed mode): its API, its database, the bus. */
export async function runService(definition: StandaloneService): Promise<void> {
  const processName = `strata-${definition.service}`;
  exitOnFatalError(processName);
  try {
    await startService(definition, processName);
  } catch (error) {
    new Logger(processName).error('failed to start', error);
    process.exit(1);
  }
}

async function startService(definition: StandaloneService, processName: string): Promise<void> {
  const config = loadConfigOrExit(() => readServiceConfig(definition.service, DEFAULT_SERVICE_PORTS[definition.service]), processName);
  setLogLevel(config.logLevel);
  const bus = createEventBus(config.bus);
  const root: DynamicModule = {
    module: StandaloneRootModule,
    imports: [ObservabilityModule.forRoot(), BusModule.forRoot(bus), definition.module(config)],
  };
  const app = await createApi(root, {
    title: `Strata ${definition.service}`,
    description: definition.description,
    version: '1',
    auth: { configured: configuredTokens(config), lookup: definition.tokens ?? ((built) => built.get(KnownTokens)) },
  });
  await app.listen(config.port, config.host).catch((error: unknown) => {
    const inUse = portInUseProblem(error, { PORT: config.port });
    if (!inUse) throw error;
    process.stderr.write(`${processName}: ${inUse}\n`);
    process.exit(78); // a setting to change, as config errors (EX_CONFIG)
  });
  new Logger(processName).info('listening', { url: `http://${config.host}:${config.port}`, bus: bus.transport });
  stopOnSignals(processName, () => closeApi(app));
}
