export type HealthStatus = 'up' | 'down';

export interface HealthCheckResult {
  status: HealthStatus;
  latencyMs: number;
  detail?: string;
}

export interface ServiceHealth {
  status: HealthStatus;
  checks: Record<string, HealthCheckResult>;
}

export interface HealthReport {
  status: HealthStatus;
  services: Record<string, ServiceHealth>;
}

/** A probe resolves when the dependency answers and rejects (or times out) when it does not. */
export type HealthProbe = () => Promise<unknown>;

/** How long a probe may take unless registered with its own bound. */
export const PROBE_TIMEOUT_MS = 2_000;

interface RegisteredProbe {
  probe: HealthProbe;
  timeoutMs: number;
}

async function runProbe({ probe, timeoutMs }: RegisteredProbe): Promise<HealthCheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([probe(), timeout]);
    return { status: 'up', latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { status: 'down', latencyMs: Math.round(performance.now() - started), detail: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** Readiness of every service in this process, each with its own dependencies. */
export class HealthRegistry {
  private readonly probes = new Map<string, Map<string, RegisteredProbe>>();

  /** `timeoutMs`: a probe that itself waits on another's health (the console's) needs longer than that one's bound. */
  register(service: string, check: string, probe: HealthProbe, timeoutMs = PROBE_TIMEOUT_MS): void {
    const checks = this.probes.get(service) ?? new Map<string, RegisteredProbe>();
    checks.set(check, { probe, timeoutMs });
    this.probes.set(service, checks);
  }

  async report(): Promise<HealthReport> {
    const services: Record<string, ServiceHealth> = {};
    await Promise.all(
      [...this.probes].map(async ([service, checks]) => {
        const results = await Promise.all([...checks].map(async ([name, probe]) => [name, await runProbe(probe)] as const));
        services[service] = {
          status: results.every(([, result]) => result.status === 'up') ? 'up' : 'down',
          checks: Object.fromEntries(results),
        };
      }),
    );
    const sorted = Object.fromEntries(Object.entries(services).sort(([a], [b]) => a.localeCompare(b)));
    const status = Object.values(sorted).every((service) => service.status === 'up') ? 'up' : 'down';
    return { status, services: sorted };
  }
}
