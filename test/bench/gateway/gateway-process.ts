/*
 * Bench-only entry: one gateway process, no Kafka (an in-memory bus), a temp state dir, and a
 * routing config of two stack configs, v1 (weight 90) and v2 (weight 10), one node each.
 * Environment: BENCH_V1_URL, BENCH_V2_URL (backend origins), BENCH_STATE_DIR, BENCH_WORKERS (default
 * 1; more: a GatewaySupervisor with that many cluster workers). Prints one JSON line
 * `{"listening":true,"port":…}` once it serves. Started by gateway.bench.ts; SIGTERM stops it.
 */
import { join } from 'node:path';
import { Gateway, GatewaySupervisor } from '@strata/gateway';
import { RoutingPolicy } from '@strata/domain';
import { InMemoryEventBus } from '@strata/messaging';
import { HealthRegistry, setLogLevel } from '@strata/observability';
import { SERVICE_NODE_FLAGS } from '../../support/service-node-flags';
import { requiredEnv } from './required-env';

function benchRoutingPolicy(v1Url: string, v2Url: string): RoutingPolicy {
  return {
    component: 'bench',
    stableConfig: 'v1',
    stackConfigs: [
      { name: 'v1', weight: 90, nodes: [{ id: 'v1-a', url: v1Url, version: '1.0.0' }] },
      { name: 'v2', weight: 10, nodes: [{ id: 'v2-a', url: v2Url, version: '2.0.0' }] },
    ],
    rules: [],
    retryBudget: { ratio: 0.2, minRetriesPerSecond: 10 },
    outlierDetection: { consecutiveFailures: 5, baseEjectionMs: 1_000, maxEjectionMs: 30_000 },
  };
}

async function main(): Promise<void> {
  setLogLevel('error');
  const bus = new InMemoryEventBus(1);
  await bus.start();
  const workers = Number(process.env['BENCH_WORKERS'] ?? '1');
  const options = { gatewayId: 'bench', host: '127.0.0.1', port: 0, admin: { port: 0 }, bus, health: new HealthRegistry(), stateDir: requiredEnv('BENCH_STATE_DIR') };
  // Workers run the gateway's own entry, as `apps/gateway` with STRATA_GATEWAY_WORKERS=N does.
  const gateway =
    workers > 1
      ? new GatewaySupervisor({ ...options, workers, workerSettings: { exec: join(__dirname, '../../../apps/gateway/src/main.ts'), execArgv: [...SERVICE_NODE_FLAGS, '-r', join(__dirname, '../../../deploy/node/register.js')] } })
      : new Gateway(options);
  const { port } = await gateway.start();
  const outcome = gateway.applyRoutingPolicy({ stack: 'bench', environment: 'bench', version: 1, config: benchRoutingPolicy(requiredEnv('BENCH_V1_URL'), requiredEnv('BENCH_V2_URL')) });
  if (outcome.outcome !== 'applied') {
    process.stderr.write(`the bench routing config was rejected: ${JSON.stringify(outcome)}\n`);
    process.exit(2);
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      const deadline = setTimeout(() => process.exit(0), 2_000);
      deadline.unref();
      void Promise.allSettled([gateway.stop(), bus.stop()]).then(() => process.exit(0));
    });
  }
  process.stdout.write(`${JSON.stringify({ listening: true, port })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench gateway failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
