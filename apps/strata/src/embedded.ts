import { INestApplication, Module } from '@nestjs/common';
import { ServiceModuleOptions, readEmbeddedConfig, loadConfigOrExit } from '@strata/config';
import { Gateway, readGatewayListenersConfig, readGatewayScopeConfig } from '@strata/gateway';
import { BusModule, EventBus, createEventBus } from '@strata/messaging';
import { HealthRegistry, Logger, ObservabilityModule, configuredTokens, createApi, setLogLevel } from '@strata/observability';
import { TokensService } from '@strata/registry';
import { EmbeddedDatabase, closeApi, portOrFree, startEmbeddedDatabase, stopOnSignals } from '@strata/runtime';
import { join, resolve } from 'node:path';
import { DashboardModule } from './dashboard/dashboard.module';
import { DASHBOARD_PATH, serveDashboard } from './dashboard/serve-dashboard';
import { SERVICES } from './services';

@Module({})
class StrataModule {}

export interface EmbeddedApiOptions {
  options: ServiceModuleOptions;
  bus: EventBus;
  health: HealthRegistry;
  adminToken: string | undefined;
  /** Where the API will listen, for modules that call an owner's API (predictive-staging promoting a proposal). */
  origin?: string;
}

/**
 * Every service's module on one origin, verifying tokens against the registry's table (the
 * owner's, in-process), and the dashboard at /ui with its live stream.
 */
export async function createEmbeddedApi({ options, bus, health, adminToken, origin }: EmbeddedApiOptions): Promise<INestApplication> {
  const api = await createApi(
    {
      module: StrataModule,
      imports: [ObservabilityModule.forRoot(health), BusModule.forRoot(bus), DashboardModule, ...SERVICES.map((service) => service.module(options, origin))],
    },
    {
      title: 'Strata',
      description: 'The management API of every Strata service.',
      version: '1',
      auth: { configured: configuredTokens({ adminToken }), lookup: (app) => app.get(TokensService, { strict: false }) },
    },
  );
  serveDashboard(api);
  return api;
}

/**
 * Every service in one process on one origin, the gateway beside it, PostgreSQL embedded unless
 * DATABASE_URL names one, the in-memory bus unless STRATA_BUS=kafka. Same modules as the
 * distributed mode; only the composition differs.
 */
export async function startEmbedded(): Promise<void> {
  const config = loadConfigOrExit(() => readEmbeddedConfig(), 'strata');
  const gatewayListeners = loadConfigOrExit(() => readGatewayListenersConfig(process.env, { host: config.host, port: config.gatewayPort, portVariable: 'STRATA_GATEWAY_PORT' }), 'strata');
  const gatewayScope = loadConfigOrExit(() => readGatewayScopeConfig(process.env), 'strata');
  setLogLevel(config.logLevel);
  const logger = new Logger('strata');

  let embeddedDatabase: EmbeddedDatabase | undefined;
  const databaseUrl = config.databaseUrl ?? (embeddedDatabase = await startEmbeddedDatabase(resolve(config.dataDir))).url;
  const bus = createEventBus(config.bus);
  const health = new HealthRegistry();
  const options = { database: { url: databaseUrl, poolSize: config.databasePoolSize }, outbox: config.outbox };

  try {
    // The port is chosen first: modules calling an owner's API call this very process there.
    const apiPort = await portOrFree(config.apiPort, config.host);
    const api = await createEmbeddedApi({ options, bus, health, adminToken: config.adminToken, origin: `http://${loopbackFor(config.host)}:${apiPort}` });
    // Migrated, then the admin token issued, before the API listens.
    await api.init();
    const bootstrapToken = config.adminToken ? undefined : await api.get(TokensService, { strict: false }).issueBootstrapAdmin();
    await api.listen(apiPort, config.host);

    const gateway = new Gateway({
      gatewayId: 'embedded',
      host: config.host,
      port: await portOrFree(config.gatewayPort, config.host),
      admin: { host: gatewayListeners.admin.host, port: await portOrFree(gatewayListeners.admin.port, gatewayListeners.admin.host) },
      limits: gatewayListeners.limits,
      ...gatewayScope,
      bus,
      health,
      stateDir: join(resolve(config.dataDir), 'gateway'),
    });
    const { port: gatewayPort, adminPort: gatewayAdminPort } = await gateway.start();

    process.stdout.write(`api: http://${config.host}:${apiPort}\n`);
    process.stdout.write(`docs: http://${config.host}:${apiPort}/docs\n`);
    process.stdout.write(`dashboard: http://${config.host}:${apiPort}${DASHBOARD_PATH}/\n`);
    process.stdout.write(`gateway: http://${config.host}:${gatewayPort}\n`);
    process.stdout.write(`gateway-admin: http://${gatewayListeners.admin.host}:${gatewayAdminPort}\n`);
    if (bootstrapToken) {
      process.stdout.write(`token: ${bootstrapToken}  # the admin token; shown this once, only its hash is kept\n`);
    }
    logger.info('strata is running', { apiPort, gatewayPort, gatewayAdminPort, bus: bus.transport, embeddedDatabase: embeddedDatabase !== undefined });

    stopOnSignals('strata', async () => {
      await gateway.stop();
      await closeApi(api);
      await embeddedDatabase?.stop();
    });
  } catch (error) {
    await embeddedDatabase?.stop();
    throw error;
  }
}

/** The address this process reaches itself at: a wildcard listen address is not one to connect to. */
function loopbackFor(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
