import { eventually } from '@strata/testing';
import { portOrFree } from '@strata/runtime';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceProcess } from './support/service-process';
import { closeClients, send } from './support/traffic';

const ROOT = join(__dirname, '..', '..');

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The README's quickstart as a new user types it, step for step (keep the two in step): a fresh
 * data directory, `npm start` (which prints the admin token once), `npx strata login`, `apply` of
 * the example stack, two sample backends, a canary created and watched with the CLI, the canary
 * broken, and Strata aborting it: the watch ends with exit code 1 and the rollout rolled back.
 */
describe('the README quickstart (npm start, then the strata CLI)', () => {
  let home: string;
  let strata: ServiceProcess;
  let api: string;
  let gateway: string;
  const backends: { process: ServiceProcess; url: string }[] = [];
  let env: Record<string, string>;
  let loadRunning = true;
  let load: Promise<void> = Promise.resolve();

  /** `npx strata …` as its own process, as typed in a terminal (stdin given when the step pipes one in). */
  const cli = (args: string[], stdin?: string): Promise<Finished> =>
    new Promise((resolve) => {
      const child: ChildProcess = spawn('npx', ['strata', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdin?.end(stdin ?? '');
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'strata-quickstart-'));
    // A user's own config directory (strata login writes there), and no token of the e2e harness: the first start issues one.
    env = { XDG_CONFIG_HOME: join(home, 'config'), STRATA_ADMIN_TOKEN: '', STRATA_TOKEN: '', STRATA_API: '' };
  });

  afterAll(async () => {
    loadRunning = false;
    await load;
    await closeClients();
    await Promise.all([strata?.interrupt(), ...backends.map((backend) => backend.process.stop())]);
    await rm(home, { recursive: true, force: true });
  }, 60_000);

  it('1. npm start on a fresh data directory prints the API, the dashboard and the admin token once', async () => {
    strata = new ServiceProcess('strata', { STRATA_DATA_DIR: join(home, 'data'), STRATA_PORT: '0', STRATA_GATEWAY_PORT: '0', STRATA_GATEWAY_ADMIN_PORT: '0', STRATA_ADMIN_TOKEN: '', LOG_LEVEL: 'warn' });
    strata.start();
    api = await strata.lineStartingWith('api: ', 120_000);
    gateway = await strata.lineStartingWith('gateway: ');
    expect(await strata.lineStartingWith('dashboard: ')).toBe(`${api}/ui/`);
    const token = (await strata.lineStartingWith('token: ')).split(' ')[0] as string;
    expect(token).toMatch(/^strata_/);
    // 2. echo "$TOKEN" | npx strata login --api http://127.0.0.1:8080
    const login = await cli(['login', '--api', api], `${token}\n`);
    expect({ code: login.code, stderr: login.stderr }).toEqual({ code: 0, stderr: expect.stringContaining(`logged in to ${api}`) });
    env = { ...env, STRATA_TOKEN: token };
  }, 150_000);

  it('3. npx strata apply -f examples/quickstart/ declares the stack and deploys shop-2.3.0 once its node reports', async () => {
    const applied = await cli(['apply', '-f', 'examples/quickstart/']);
    expect({ code: applied.code, stderr: applied.stderr }).toEqual({ code: 0, stderr: '' });
    expect(applied.stdout).toMatch(/Deployment\s+production\/shop-2\.3\.0\s+create/);

    // 4. Two sample backends, announcing themselves by heartbeat.
    for (const version of ['2.3.0', '2.4.0']) {
      const port = await portOrFree(0, '127.0.0.1');
      const backend = new ServiceProcess('sample-backend', {
        PORT: String(port),
        STRATA_SAMPLE_VERSION: version,
        STRATA_HEARTBEAT_URL: api,
        STRATA_TOKEN: env['STRATA_TOKEN'] as string,
        STRATA_SAMPLE_STACK: 'shop',
        STRATA_SAMPLE_COMPONENT: 'shop-api',
      });
      backend.start();
      await backend.lineStartingWith('{"listening":true');
      backends.push({ process: backend, url: `http://127.0.0.1:${port}` });
    }
    await eventually(async () => expect((await cli(['executions', '-o', 'json'])).stdout).toContain('"status": "succeeded"'), 60_000, 1_000);
    await eventually(async () => expect((await send(gateway)).version).toBe('2.3.0'), 20_000, 250);
  }, 120_000);

  it('5–7. a canary created and watched with the CLI is aborted and rolled back once it is broken', async () => {
    // The README's traffic loop.
    load = (async () => {
      while (loadRunning) await send(gateway);
    })();
    const auth = { authorization: `Bearer ${env['STRATA_TOKEN']}`, 'content-type': 'application/json' };
    // 5. Your CD tool put 2.4.0 on its node: record it, and give the routing policy a config for it (weight 0).
    const recorded = await fetch(`${api}/v1/environments/production/deployments`, { method: 'POST', headers: auth, body: JSON.stringify({ stack: 'shop', versionGroup: 'shop-2.4.0', location: 'production' }) });
    expect(recorded.status).toBe(201);
    const policy = { component: 'shop-api', stableConfig: 'shop-2.3.0', stackConfigs: [{ name: 'shop-2.3.0', weight: 100 }, { name: 'shop-2.4.0', weight: 0 }], healthCheck: { path: '/healthz', intervalMs: 250 } };
    const put = await fetch(`${api}/v1/stacks/shop/environments/production/routing-policy`, { method: 'PUT', headers: auth, body: JSON.stringify(policy) });
    expect(put.status).toBe(200);

    // 6. npx strata rollout create … (412 until the gateway has health-checked the canary's node)
    const created = await eventually(async () => {
      const answer = await cli(['rollout', 'create', '--stack', 'shop', '--name', 'shop-2.4.0-canary', '-e', 'production', '--version-group', 'shop-2.4.0', '--step', '20', '--step', 'analysis:30s:100', '--step', '50', '--step', '100', '--trigger', 'judge == Fail', '-o', 'json']);
      expect({ code: answer.code, stderr: answer.stderr }).toEqual({ code: 0, stderr: '' });
      return JSON.parse(answer.stdout) as { id: string; canaryWeight: number };
    }, 30_000, 1_000);
    expect(created.canaryWeight).toBe(20);
    const watch = cli(['rollout', 'watch', created.id]);

    // 7. Break the canary: 30 % errors.
    const fault = await fetch(`${backends[1]?.url}/_faults`, { method: 'POST', body: JSON.stringify({ errorRate: 0.3 }) });
    expect(fault.status).toBe(200);
    const watched = await watch;
    expect(watched.code).toBe(1);
    expect(watched.stdout).toMatch(/analysis of step 1 failed: .*error-rate: regression/);
    // The watch shows the judge's verdict on each metric with its always-valid p-value.
    expect(watched.stdout).toMatch(/\n +error-rate: REGRESSION, always-valid p [=<] [\d.e-]+ \(fail below 0\.006\)\n/);
    expect(watched.stdout).toContain('phase rolled-back');
    expect(watched.stderr).toMatch(/rolled-back/);
    const rollout = await cli(['get', 'rollouts', '--stack', 'shop', '-o', 'json']);
    expect(rollout.stdout).toContain('"phase": "rolled-back"');
    await eventually(async () => expect((await send(gateway)).version).toBe('2.3.0'), 10_000, 100);
  }, 150_000);
});
