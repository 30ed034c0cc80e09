// The world of one bench:bad-canary scenario: Strata in embedded mode on a fresh database, the
// executions e2e's stack of five layers, two sample backends announcing themselves by heartbeat,
// group 1 deployed and group 2 held as a canary at 10 %.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@strata/testing';
import { apiCall, startSampleBackend } from '../../e2e/support/api';
import { EXECUTIONS_STACK, manifest, startActionServer } from '../../e2e/support/execution-stack';
import { ServiceProcess } from '../../e2e/support/service-process';

export const STACK = EXECUTIONS_STACK;
export const ENVIRONMENT = 'production';
export const STABLE_GROUP = 'shop-1';
export const CANARY_GROUP = 'shop-2';
export const STABLE_VERSION = '2.3.0';
export const CANARY_VERSION = '2.4.0';
export const CANARY_WEIGHT = 10;
/**
 * What the load asks for: group 2's lb-rule routes only /api and its network policy lets only
 * callers with `x-caller: web` in, so this request is served under both groups.
 */
export const LOAD_PATH = '/api/orders';
export const LOAD_HEADERS = { 'x-caller': 'web' } as const;

export interface ExecutionBody {
  id: string;
  kind: string;
  status: string;
  versionGroup: string;
  steps: { component: string; action: string; status: string; error: string | null }[];
  createdAt: string;
}

export interface RolloutBody {
  id: string;
  name: string;
  phase: string;
  canaryWeight: number;
  reason: string | null;
}

export interface VersionMapBody {
  slots: { component: string; version: string; status: string }[];
}

/** One scenario's processes and databases, and the calls the bench makes on them. */
export interface BadCanarySetup {
  api: string;
  gateway: string;
  backends: { stable: string; canary: string };
  /** The deploy execution that holds group 2 as a canary. */
  canaryDeploy: ExecutionBody;
  /** The rollout that deploy started. */
  rollout: RolloutBody;
  /** Every layer's `component → version` while group 1 served: where a full rollback must return. */
  previousVersions: Record<string, string>;
  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  fault(which: 'stable' | 'canary', faults: { errorRate?: number; latencyMs?: number }): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value, naming `what` when `timeoutMs` passes. */
async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, explain: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what} not reached within ${timeoutMs / 1_000} s${explain() ? `: ${explain()}` : ''}`);
    }
    await sleep(250);
  }
}

/** What must be stopped or removed at the end of a scenario, undone in reverse order of creation. */
export class Resources {
  private readonly undo: (() => Promise<unknown>)[] = [];
  private released: Promise<void> | undefined;

  add(step: () => Promise<unknown>): void {
    this.undo.push(step);
  }

  /** Undoes every step once; a second call (Ctrl-C while the scenario cleans up) waits for the first. */
  release(): Promise<void> {
    return (this.released ??= this.undoAll());
  }

  private async undoAll(): Promise<void> {
    for (const step of this.undo.splice(0).reverse()) {
      await step().catch((error: unknown) => process.stderr.write(`bench:bad-canary: cleanup: ${String(error)}\n`));
    }
  }
}

async function startStrata(resources: Resources, targetUrl: string): Promise<{ strata: ServiceProcess; api: string; gateway: string }> {
  const database = await createTestDatabase('bench-bad-canary');
  resources.add(() => database.drop());
  const dataDir = await mkdtemp(join(tmpdir(), 'strata-bench-bad-canary-'));
  resources.add(() => rm(dataDir, { recursive: true, force: true }));
  // SHOP_DB_URL: the database the stack's db-schema layer migrates (its target, not Strata's own).
  const strata = new ServiceProcess('strata', {
    DATABASE_URL: database.url,
    STRATA_DATA_DIR: dataDir,
    STRATA_PORT: '0',
    STRATA_GATEWAY_PORT: '0',
    STRATA_GATEWAY_ADMIN_PORT: '0',
    SHOP_DB_URL: targetUrl,
    LOG_LEVEL: 'warn',
  });
  strata.start();
  resources.add(() => strata.interrupt());
  return { strata, api: await strata.lineStartingWith('api: ', 120_000), gateway: await strata.lineStartingWith('gateway: ', 60_000) };
}

/** Starts an execution; a 409 (another still running) or a not-yet-known node is waited out. */
async function startExecution(call: BadCanarySetup['call'], body: Record<string, unknown>): Promise<ExecutionBody> {
  let last = '';
  return until(
    `the deploy of ${String(body['versionGroup'])} to be accepted`,
    30_000,
    async () => {
      const answer = await call<ExecutionBody>('POST', `/v1/stacks/${STACK}/environments/${ENVIRONMENT}/deploy`, body);
      last = `${answer.status} ${JSON.stringify(answer.body)}`;
      return answer.status === 202 ? answer.body : undefined;
    },
    () => last,
  );
}

/** A probe of the gateway as the load sends it: `status version`. */
async function probe(gateway: string): Promise<string> {
  try {
    const response = await fetch(`${gateway}${LOAD_PATH}`, { headers: LOAD_HEADERS });
    await response.arrayBuffer();
    return `${response.status} ${response.headers.get('x-strata-version') ?? ''}`;
  } catch (error) {
    return String(error);
  }
}

async function deployStableGroup(setup: Pick<BadCanarySetup, 'call' | 'gateway'>): Promise<Record<string, string>> {
  const deploy = await startExecution(setup.call, { versionGroup: STABLE_GROUP });
  let state = '';
  await until(
    `the deploy of ${STABLE_GROUP} to succeed`,
    90_000,
    async () => {
      const execution = (await setup.call<ExecutionBody>('GET', `/v1/executions/${deploy.id}`)).body;
      state = `${execution.status} ${JSON.stringify(execution.steps)}`;
      if (execution.status === 'failed') {
        throw new Error(`the deploy of ${STABLE_GROUP} failed: ${state}`);
      }
      return execution.status === 'succeeded' ? execution : undefined;
    },
    () => state,
  );
  let seen = '';
  await until(`the gateway to serve ${STABLE_VERSION}`, 60_000, async () => ((seen = await probe(setup.gateway)) === `200 ${STABLE_VERSION}` ? true : undefined), () => `last answer ${seen}`);
  const map = (await setup.call<VersionMapBody>('GET', `/v1/stacks/${STACK}/environments/${ENVIRONMENT}/version-map`)).body;
  return Object.fromEntries(map.slots.map((slot) => [slot.component, slot.version]));
}

/** Deploys group 2 through a canary that stops at 10 % and waits there (a pause without duration). */
async function holdCanary(setup: Pick<BadCanarySetup, 'call'>): Promise<{ canaryDeploy: ExecutionBody; rollout: RolloutBody }> {
  const canaryDeploy = await startExecution(setup.call, { versionGroup: CANARY_GROUP, canary: { steps: [{ setWeight: CANARY_WEIGHT }, { pause: {} }] } });
  let seen = '';
  const rollout = await until(
    `the canary of ${CANARY_GROUP} to hold ${CANARY_WEIGHT} %`,
    120_000,
    async () => {
      const rollouts = (await setup.call<RolloutBody[]>('GET', `/v1/rollouts?stack=${STACK}`)).body;
      const found = rollouts.find((candidate) => candidate.name === `${CANARY_GROUP}-canary-${canaryDeploy.id.slice(0, 8)}`);
      seen = found ? `${found.phase} at ${found.canaryWeight} %` : 'no rollout yet';
      return found?.phase === 'paused' && found.canaryWeight === CANARY_WEIGHT ? found : undefined;
    },
    () => seen,
  );
  return { canaryDeploy, rollout };
}

/**
 * Everything up to the canary holding 10 %: both backends answer `baseLatencyMs` late from the
 * start, so that the latency scenario's 5× is a real factor and not 5 × ~0. What it starts and
 * creates goes into `resources` as it goes, so that the caller removes it however far this got.
 */
export async function startSetup(baseLatencyMs: number, resources: Resources): Promise<BadCanarySetup> {
  const target = await createTestDatabase('bench-bad-canary-target');
  resources.add(() => target.drop());
  const actions = await startActionServer();
  resources.add(() => actions.close());
  const { api, gateway } = await startStrata(resources, target.url);
  const call: BadCanarySetup['call'] = (method, path, body) => apiCall(api, method, path, body);

  const applied = await apiCall(api, 'POST', '/v1/apply', manifest(actions.url), 'application/yaml');
  if (applied.status !== 200) {
    throw new Error(`applying the stack answered ${applied.status}: ${JSON.stringify(applied.body)}`);
  }
  const heartbeat = { STRATA_HEARTBEAT_URL: api, STRATA_HEARTBEAT_INTERVAL_MS: '1000', STRATA_SAMPLE_STACK: STACK, STRATA_SAMPLE_COMPONENT: 'shop-api' };
  const stable = await startSampleBackend(STABLE_VERSION, 'stable', heartbeat);
  resources.add(() => stable.process.stop());
  const canary = await startSampleBackend(CANARY_VERSION, 'canary', heartbeat);
  resources.add(() => canary.process.stop());
  const backends = { stable: stable.url, canary: canary.url };

  const fault: BadCanarySetup['fault'] = async (which, faults) => {
    const response = await fetch(`${backends[which]}/_faults`, { method: 'POST', body: JSON.stringify(faults) });
    if (response.status !== 200) {
      throw new Error(`POST ${which} /_faults answered ${response.status}: ${await response.text()}`);
    }
  };
  await fault('stable', { latencyMs: baseLatencyMs });
  await fault('canary', { latencyMs: baseLatencyMs });

  const previousVersions = await deployStableGroup({ call, gateway });
  const { canaryDeploy, rollout } = await holdCanary({ call });
  return { api, gateway, backends, canaryDeploy, rollout, previousVersions, call, fault };
}
