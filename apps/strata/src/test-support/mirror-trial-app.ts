import { Gateway } from '@strata/gateway';
import { KafkaEventBus } from '@strata/messaging';
import { MetricsIngestModule, readMetricsIngestSettings } from '@strata/metrics-ingest';
import { HealthRegistry } from '@strata/observability';
import { PredictiveStagingModule, readPredictiveStagingSettings } from '@strata/predictive-staging';
import { RegistryModule, TokensService } from '@strata/registry';
import { RollbackModule } from '@strata/rollback';
import { RoutingControlModule } from '@strata/routing-control';
import { requireKafkaBrokers, uniqueTopicPrefix } from '@strata/testing';
import { ServiceTestApp, freePort, startServiceTestApp } from '@strata/testing/harness';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';

export interface MirrorTrialApp {
  sut: ServiceTestApp;
  gatewayUrl: string;
  close(): Promise<void>;
}

/**
 * What a mirrored trial needs, every part real: the registry, routing-control, metrics-ingest, the
 * rollback service and predictive-staging on one origin (as the embedded mode composes them), on
 * PostgreSQL and Kafka, and a gateway of `stack`/production on the same bus (KPIs flushed every 500 ms).
 */
export async function startMirrorTrialApp(label: string, stack: string): Promise<MirrorTrialApp> {
  const port = await freePort();
  const settings = readPredictiveStagingSettings({ PREDICTIVE_LSTM_ENABLED: 'false', PREDICTIVE_FORECAST_INTERVAL_MS: '0', PREDICTIVE_MIRROR_SETTLE_MS: '40000', PREDICTIVE_MIRROR_MAX_WINDOW_SECONDS: '120' }, `http://127.0.0.1:${port}`);
  const bus = new KafkaEventBus({ brokers: requireKafkaBrokers(), clientId: `${label}-test`, topicPrefix: uniqueTopicPrefix(label.replace(/-/g, '')), partitions: 3, replicationFactor: 1 });
  const sut = await startServiceTestApp({
    label,
    poolSize: 8,
    outboxPollIntervalMs: 50,
    bus: () => bus,
    modules: (options) => [
      RegistryModule.register(options),
      RoutingControlModule.register(options, { tickMs: 100, resyncMs: 0 }),
      RollbackModule.register(options, { tickMs: 100 }),
      MetricsIngestModule.register(options, readMetricsIngestSettings({})),
      PredictiveStagingModule.register(options, settings, {}),
    ],
    tokenLookup: (built) => built.get(TokensService, { strict: false }),
  });
  await sut.app.listen(port, '127.0.0.1');
  const stateDir = mkdtempSync(join(tmpdir(), `${label}-`));
  const gateway = new Gateway({ gatewayId: label, host: '127.0.0.1', port: 0, admin: { port: 0 }, bus, health: new HealthRegistry(), stateDir, kpiFlushMs: 500, stack, environment: 'production' });
  const gatewayUrl = `http://127.0.0.1:${(await gateway.start()).port}`;
  return {
    sut,
    gatewayUrl,
    close: async () => {
      await gateway.stop();
      await sut.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/**
 * Validates proposal `id` with a mirrored trial while production traffic flows through the gateway:
 * 4 callers, one request after another with 20 ms between; the trial's answer and every production answer.
 */
export async function validateUnderTraffic(app: MirrorTrialApp, id: string, mirror: Record<string, unknown>) {
  let running = true;
  const production: { status: number; ms: number }[] = [];
  const caller = async () => {
    while (running) {
      const sent = performance.now();
      const answer = await request(`${app.gatewayUrl}/orders`);
      await answer.body.dump();
      production.push({ status: answer.statusCode, ms: performance.now() - sent });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const flowing = Promise.all(Array.from({ length: 4 }, caller));
  try {
    const answer = await app.sut.http().post(`/v1/proposals/${id}/validate`).send({ mirror }).timeout(120_000);
    return { answer, production };
  } finally {
    running = false;
    await flowing;
  }
}
