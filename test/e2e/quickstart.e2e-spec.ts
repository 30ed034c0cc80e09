import { eventually } from '@strata/testing';
import { portOrFree } from '@strata/runtime';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketTestClient } from '../support/websocket-client';
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
 * the example stack (with production's rollback triggers), two sample backends, a canary deploy
 * started and watched with the CLI, the canary broken, and Strata aborting it and rolling every layer
 * back: both watches end with exit code 1, a rollback execution succeeds, 2.3.0 serves again.
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

  it('5–6. a canary deployed and watched with the CLI is aborted and rolled back, every layer, once it is broken', async () => {
    // The README's traffic loop.
    load = (async () => {
      while (loadRunning) await send(gateway);
    })();
    // 5. npx strata deploy shop-2.4.0 … --watch &, then npx strata get rollouts and rollout watch <id>
    const deploy = cli(['deploy', 'shop-2.4.0', '--stack', 'shop', '-e', 'production', '--step', '20', '--step', 'analysis:30s:100', '--step', 'pause', '--step', '50', '--step', '100', '--watch', '--interval', '250']);
    const rollout = await eventually(async () => {
      const rollouts = JSON.parse((await cli(['get', 'rollouts', '--stack', 'shop', '-o', 'json'])).stdout) as { id: string; name: string; phase: string; canaryWeight: number }[];
      const canary = rollouts.find((candidate) => candidate.name.startsWith('shop-2.4.0-canary-'));
      expect(canary).toMatchObject({ phase: 'progressing', canaryWeight: 20 });
      return canary as { id: string };
    }, 60_000, 1_000);
    const watch = cli(['rollout', 'watch', rollout.id, '--interval', '250']);
    // The canary takes its share before it breaks.
    await eventually(async () => expect((await send(gateway)).version).toBe('2.4.0'), 20_000, 50);
    // WebSockets are routed the same way: open them until some are on each version (20 % canary).
    const sockets = await webSocketsOnBothVersions(Number(new URL(gateway).port));

    // A person gets here after the analysis (30 s): the canary is held at its pause step, still watched.
    await eventually(async () => {
      const rollouts = JSON.parse((await cli(['get', 'rollouts', '--stack', 'shop', '-o', 'json'])).stdout) as { id: string; phase: string; canaryWeight: number }[];
      expect(rollouts.find((candidate) => candidate.id === rollout.id)).toMatchObject({ phase: 'paused', canaryWeight: 20 });
    }, 90_000, 1_000);

    // 6. Break the canary: 30 % errors.
    const fault = await fetch(`${backends[1]?.url}/_faults`, { method: 'POST', body: JSON.stringify({ errorRate: 0.3 }) });
    expect(fault.status).toBe(200);
    const [watched, deployed] = await Promise.all([watch, deploy]);
    expect({ code: watched.code, rolledBack: watched.stdout.includes('phase rolled-back') }).toEqual({ code: 1, rolledBack: true });
    expect(watched.stderr).toMatch(/rolled-back: aborted by .*(canary-errors|canary-judged-bad)/);
    expect(deployed.code).toBe(1);
    // Failed, or already abandoned by the backward execution the trigger started, by the time the watch looks;
    // the rollout aborted, or already rolled back.
    expect(deployed.stderr).toMatch(/deploy \S+ (failed|abandoned): shop-2\.4\.0 traffic: canary rollout \S+ (aborted|rolled-back): rollback trigger canary-(errors|judged-bad) fired/);
    const firings = JSON.parse((await cli(['get', 'trigger-firings', '--stack', 'shop', '-e', 'production', '-o', 'json'])).stdout) as { trigger: string; action: string }[];
    expect(firings).toEqual([expect.objectContaining({ action: 'rollback' })]);
    await eventually(
      async () => {
        const executions = JSON.parse((await cli(['executions', '--stack', 'shop', '-o', 'json'])).stdout) as { kind: string; versionGroup: string; status: string }[];
        expect(executions.map(({ kind, versionGroup, status }) => `${kind} ${versionGroup} ${status}`)).toEqual(['rollback shop-2.3.0 succeeded', 'deploy shop-2.4.0 abandoned', 'deploy shop-2.3.0 succeeded']);
      },
      30_000,
      1_000,
    );
    await eventually(async () => expect((await send(gateway)).version).toBe('2.3.0'), 10_000, 100);
    // The abort stopped routing to 2.4.0: its WebSockets were closed (their clients would reconnect to 2.3.0); 2.3.0's still echo.
    await eventually(() => expect(sockets.canary.map((socket) => socket.closed)).toEqual(sockets.canary.map(() => true)), 10_000, 100);
    for (const socket of sockets.stable) {
      expect(socket.closed).toBe(false);
      socket.send('still there?');
      await eventually(() => expect(socket.messages).toContain('still there?'), 5_000, 50);
      socket.close();
    }
  }, 240_000);
});

/** WebSockets opened through the gateway to the sample backends' echo, until at least one is on each version. */
async function webSocketsOnBothVersions(port: number): Promise<{ canary: WebSocketTestClient[]; stable: WebSocketTestClient[] }> {
  const sockets = { canary: [] as WebSocketTestClient[], stable: [] as WebSocketTestClient[] };
  for (let attempt = 0; attempt < 60 && (sockets.canary.length === 0 || sockets.stable.length === 0); attempt++) {
    const socket = await WebSocketTestClient.open(port, '/ws');
    await eventually(() => expect(socket.messages).toHaveLength(1), 5_000, 20);
    const { version } = JSON.parse(socket.messages[0] as string) as { version: string };
    expect(socket.headers['x-strata-version']).toBe(version);
    (version === '2.4.0' ? sockets.canary : sockets.stable).push(socket);
  }
  expect({ canary: sockets.canary.length > 0, stable: sockets.stable.length > 0 }).toEqual({ canary: true, stable: true });
  return sockets;
}
