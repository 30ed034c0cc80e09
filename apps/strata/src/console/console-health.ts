import { HealthRegistry, HealthReport, PROBE_TIMEOUT_MS } from '@strata/observability';
import { Upstream, Upstreams } from './upstreams';

/** The console's own checks (the bus of its live stream) in its report; every other entry is a service behind it. */
export const CONSOLE_CHECKS = 'console';

/**
 * How long a service's /health may take: longer than the bound the service puts on its own checks
 * (PROBE_TIMEOUT_MS), so a service whose database check timed out is reported with the check its 503
 * names, not as "no answer".
 */
export const UPSTREAM_PROBE_MS = PROBE_TIMEOUT_MS + 1_000;

/**
 * `degraded`: the console and some services answer; the routes of those that do not answer 502.
 * It stays ready (200) then: every replica sees the same services, so taking the console out of a
 * load balancer for one service down would also cut the CLI off from the services still up.
 */
export type ConsoleHealthStatus = 'up' | 'degraded' | 'down';

export interface ConsoleHealthReport {
  status: ConsoleHealthStatus;
  services: HealthReport['services'];
}

/** Each service's own readiness (`GET /health` through its connection pool), as the check `health` of an entry named after it. */
export function registerUpstreamChecks(health: HealthRegistry, upstreams: Upstreams): void {
  for (const upstream of upstreams.all) {
    health.register(upstream.service, 'health', () => probeUpstream(upstreams, upstream), UPSTREAM_PROBE_MS + 250);
  }
}

async function probeUpstream(upstreams: Upstreams, upstream: Upstream): Promise<void> {
  const answer = await upstreams.get(upstream, '/health', { accept: 'application/json' }, UPSTREAM_PROBE_MS).catch((error: unknown) => {
    const timedOut = (error as { code?: unknown }).code === 'UPSTREAM_TIMEOUT';
    throw new Error(timedOut ? `no answer within ${UPSTREAM_PROBE_MS} ms` : error instanceof Error ? error.message : String(error), { cause: error });
  });
  if (answer.status !== 200) {
    throw new Error(`${upstream.base.origin} answered ${answer.status}${downChecks(answer.text)}`);
  }
}

/** The checks a service's 503 names as down, so the console's answer says why without a second request. */
function downChecks(text: string): string {
  try {
    const report = JSON.parse(text) as Partial<HealthReport>;
    const down = Object.entries(report.services ?? {}).flatMap(([service, health]) =>
      Object.entries(health.checks ?? {})
        .filter(([, check]) => check.status === 'down')
        .map(([check]) => `${service}.${check}`),
    );
    return down.length > 0 ? ` (down: ${down.join(', ')})` : '';
  } catch {
    // Not a Strata health answer (a proxy's error page): the status says enough.
    return '';
  }
}

/**
 * `down` (503) when the console's own bus is down or no service answers, as nothing it fronts
 * works then; `degraded` (200) when some service is down; `up` (200) when all answer.
 */
export function consoleHealthOf(report: HealthReport): ConsoleHealthReport {
  const backends = Object.entries(report.services)
    .filter(([name]) => name !== CONSOLE_CHECKS)
    .map(([, service]) => service.status);
  const ownDown = report.services[CONSOLE_CHECKS]?.status === 'down';
  const noneUp = backends.length > 0 && backends.every((status) => status === 'down');
  const status: ConsoleHealthStatus = ownDown || noneUp ? 'down' : backends.includes('down') ? 'degraded' : 'up';
  return { status, services: report.services };
}
