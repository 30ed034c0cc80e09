import { aStackName, eventually } from '@strata/testing';
import { RoutingControlTestApp } from './routing-control-test-app';

export interface SeededStack {
  stack: string;
  stable: string;
  canary: string;
  notDeployed: string;
  /** Deployed to the staging location only (a staged proposal, say). */
  stagedOnly: string;
}

/** A stack as the registry announces it: two groups deployed to production, a third only created, a fourth staged only. */
export async function seedStack(sut: RoutingControlTestApp): Promise<SeededStack> {
  const stack = aStackName('rc');
  const seeded = { stack, stable: `${stack}@1`, canary: `${stack}@2`, notDeployed: `${stack}@3`, stagedOnly: `${stack}@4` };
  await sut.publish('io.strata.registry.stack.created.v1', 'registry', { stack, environments: [{ name: 'production' }, { name: 'staging', mirrors: 'production' }] });
  for (const [index, group] of [seeded.stable, seeded.canary, seeded.notDeployed, seeded.stagedOnly].entries()) {
    const members = [{ component: `${stack}-api`, version: `1.${index}.0` }];
    await sut.publish('io.strata.registry.version-group.created.v1', 'registry', { stack, versionGroup: group, environment: 'production', members });
    if (group !== seeded.notDeployed) {
      const location = group === seeded.stagedOnly ? 'staging' : 'production';
      await sut.publish('io.strata.registry.deployment.recorded.v1', 'registry', { stack, environment: 'production', location, versionGroup: group, members, actor: 'test' });
    }
  }
  await eventually(async () => {
    const { rows } = await sut.sql.query<{ count: string }>('SELECT count(*) FROM routing.group_deployments WHERE stack = $1', [stack]);
    expect(Number(rows[0].count)).toBe(3);
    const known = await sut.sql.query('SELECT 1 FROM routing.known_stacks WHERE name = $1', [stack]);
    expect(known.rowCount).toBe(1);
  });
  return seeded;
}

/** A valid policy body: the stable group takes all traffic, the canary is listed with its node at weight 0. */
export function aPolicy(seeded: SeededStack, changes: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    component: 'checkout-api',
    stableConfig: seeded.stable,
    stackConfigs: [
      { name: seeded.stable, weight: 100, nodes: [{ id: 'stable-1', url: 'http://127.0.0.1:9001', version: '1.0.0' }] },
      { name: seeded.canary, weight: 0, nodes: [{ id: 'canary-1', url: 'http://127.0.0.1:9002', version: '1.1.0' }] },
    ],
    ...changes,
  };
}

/** One KPI window of one metric of a stack config, as metrics-ingest publishes it. */
export async function publishKpiWindow(
  sut: RoutingControlTestApp,
  stack: string,
  stackConfig: string,
  metric: string,
  sum: number,
  start: number,
  length = 10_000,
  histogram?: { values: number[]; counts: number[] },
): Promise<void> {
  const series = { stack, environment: 'production', component: 'checkout-api', stackConfig, node: `${stackConfig}-node`, metric };
  const count = histogram ? histogram.counts.reduce((total, value) => total + value, 0) : 10;
  await sut.publish('io.strata.kpi.window.v1', 'metrics-ingest', {
    series,
    seriesId: `${stackConfig}/${metric}`,
    windowStart: start,
    windowEnd: start + length,
    count,
    sum,
    mean: null,
    min: null,
    max: null,
    p50: null,
    p95: null,
    p99: null,
    ...(histogram ? { histogram } : {}),
  });
}

/** A seeded stack whose production policy is `aPolicy` (stable 100, canary 0). */
export async function seedStackWithPolicy(sut: RoutingControlTestApp): Promise<SeededStack> {
  const seeded = await seedStack(sut);
  await sut.http().put(`/v1/stacks/${seeded.stack}/environments/production/routing-policy`).send(aPolicy(seeded)).expect(200);
  return seeded;
}

/**
 * The gateway's traffic of a stack config in one KPI window, as metrics-ingest publishes it:
 * errors, latency (every request at `latencyMs`, ±5 %), then requests (the window that completes
 * the figures, on which rules act).
 */
export async function publishTrafficWindow(
  sut: RoutingControlTestApp,
  stack: string,
  stackConfig: string,
  traffic: { requests: number; errors: number; latencyMs?: number },
  start: number,
  length = 10_000,
): Promise<void> {
  await publishKpiWindow(sut, stack, stackConfig, 'gateway_errors_5xx_total', traffic.errors, start, length);
  if (traffic.requests > 0) {
    const latency = traffic.latencyMs ?? 1;
    const third = Math.floor(traffic.requests / 3);
    const counts = [third, traffic.requests - 2 * third, third];
    const histogram = { values: [latency * 0.95, latency, latency * 1.05], counts };
    await publishKpiWindow(sut, stack, stackConfig, 'gateway_request_duration_ms', latency * traffic.requests, start, length, histogram);
  }
  await publishKpiWindow(sut, stack, stackConfig, 'gateway_requests_total', traffic.requests, start, length);
}
