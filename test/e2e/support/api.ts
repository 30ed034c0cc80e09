import { portOrFree } from '@strata/runtime';
import { E2E_BEARER, ServiceProcess } from './service-process';

export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

/** A rollout as `GET /v1/rollouts/:id` answers it (the fields the e2e specs look at). */
export interface RolloutBody {
  id: string;
  name: string;
  phase: string;
  stepIndex: number;
  canaryWeight: number;
  reason: string | null;
}

/** A routing policy's status: its version and what each gateway made of it. */
export interface GatewayStatusBody {
  version: number;
  gateways: { gatewayId: string; status: string; appliedVersion: number | null; rejectedVersion: number | null; rejectionReason: string | null; violations: { field: string; message: string }[] }[];
}

/** A management API call as the e2e admin; a string body is sent as it is, anything else as JSON. */
export async function apiCall<T = Record<string, unknown>>(base: string, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<ApiAnswer<T>> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': contentType, ...E2E_BEARER },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
}

/** A sample backend of `version` on a free port, once it listens; `env` adds to its settings (heartbeats). */
export async function startSampleBackend(version: string, nodeId: string, env: Record<string, string> = {}): Promise<{ process: ServiceProcess; url: string }> {
  const port = await portOrFree(0, '127.0.0.1');
  const backend = new ServiceProcess('sample-backend', { PORT: String(port), STRATA_SAMPLE_VERSION: version, STRATA_SAMPLE_NODE_ID: nodeId, ...env });
  backend.start();
  await backend.lineStartingWith('{"listening":true');
  return { process: backend, url: `http://127.0.0.1:${port}` };
}

/** The JSON log entries a process printed with this `msg`. */
export function logEntries(service: ServiceProcess, msg: string): Record<string, unknown>[] {
  return service.log
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes(msg))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry['msg'] === msg);
}

/**
 * The stack as an SRE registers it: one app component, its versions, and a version group per
 * `[group, version]`, each deployed to production. Every call must answer 201.
 */
export async function registerDeployedStack(base: string, stack: string, component: string, groups: ReadonlyArray<readonly [string, string]>): Promise<void> {
  const created = async (path: string, body: unknown): Promise<void> => {
    const answer = await apiCall(base, 'POST', path, body);
    expect({ path, status: answer.status, body: answer.body }).toMatchObject({ status: 201 });
  };
  await created('/v1/stacks', { name: stack, environments: [{ name: 'production' }] });
  await created('/v1/components', { name: component, stack, type: 'app' });
  for (const version of new Set(groups.map(([, version]) => version))) {
    await created(`/v1/components/${component}/versions`, { version, spec: { artifact: `registry.example.com/${component}:${version}`, port: 8080 } });
  }
  for (const [group, version] of groups) {
    await created(`/v1/stacks/${stack}/version-groups`, { name: group, environment: 'production', members: [{ component, version }] });
    await created('/v1/environments/production/deployments', { stack, versionGroup: group, location: 'production' });
  }
}
