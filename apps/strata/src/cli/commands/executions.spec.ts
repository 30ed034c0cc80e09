import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { runCaptured } from '../captured-io';
import { ExitCode } from '../errors';

interface Recorded {
  method: string;
  url: string;
  authorization: string | undefined;
  body: unknown;
}

type Handler = (request: Recorded) => { status: number; body?: unknown; type?: string };

const execution = (status: string, steps: { status: string; error?: string | null }[]) => ({
  id: 'e-1',
  kind: 'deploy',
  stack: 'shop',
  environment: 'production',
  versionGroup: 'shop-2.4.0',
  fromVersionGroup: 'shop-2.3.0',
  status,
  steps: steps.map((step, index) => ({
    component: ['shop-db', 'shop-api'][index],
    type: ['db-schema', 'app'][index],
    action: ['migrate', 'deploy'][index],
    status: step.status,
    error: step.error ?? null,
    startedAt: '2026-12-06T10:00:00.000Z',
    finishedAt: step.status === 'pending' || step.status === 'running' ? null : '2026-12-06T10:00:01.000Z',
  })),
});

const problem = (status: number, detail: string, errors?: { field: string; message: string }[]) => ({
  status,
  type: 'application/problem+json',
  body: { type: 'https://strata.dev/problems/x', title: status === 404 ? 'Not Found' : 'Conflict', status, detail, ...(errors ? { errors } : {}), correlationId: 'c-1' },
});

/** A stand-in for the executions API the lead is building: it answers what a handler says and records each request. */
describe('deploy, rollback and execution commands', () => {
  let server: Server;
  let api: string;
  let handler: Handler;
  const requests: Recorded[] = [];
  const env = () => ({ STRATA_API: api, STRATA_TOKEN: 'strata_cli-test', HOME: '/nonexistent' });
  const run = (argv: string[], tty = false) => runCaptured(argv, env(), { tty });

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString()));
      request.on('end', () => {
        const recorded = { method: request.method ?? '', url: request.url ?? '', authorization: request.headers.authorization, body: text ? JSON.parse(text) : undefined };
        requests.push(recorded);
        const answer = handler(recorded);
        response.writeHead(answer.status, { 'content-type': answer.type ?? 'application/json' });
        response.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  beforeEach(() => {
    requests.length = 0;
  });

  let restarted = Promise.resolve();
  /** Stops answering, as an API does while it restarts, and listens again on the same port after `downMs`. */
  const restart = (downMs: number) => {
    restarted = new Promise((resolve) =>
      setImmediate(() => {
        const { port } = server.address() as AddressInfo;
        server.close();
        server.closeAllConnections();
        setTimeout(() => server.listen(port, '127.0.0.1', resolve), downMs);
      }),
    );
  };

  afterAll(async () => {
    await restarted;
    await new Promise((resolve) => server.close(resolve));
  });

  it('deploy --dry-run posts the group with dryRun and prints the plan, one row per step', async () => {
    handler = () => ({ status: 200, body: { plan: { steps: [{ component: 'shop-db', type: 'db-schema', action: 'migrate' }, { component: 'shop-api', type: 'app', action: 'deploy' }] } } });
    const { code, stdout } = await run(['deploy', 'shop-2.4.0', '--stack', 'shop', '-e', 'production', '--dry-run']);
    expect(code).toBe(ExitCode.ok);
    expect(requests).toEqual([{ method: 'POST', url: '/v1/stacks/shop/environments/production/deploy', authorization: 'Bearer strata_cli-test', body: { versionGroup: 'shop-2.4.0', dryRun: true } }]);
    expect(stdout.split('\n')).toEqual([expect.stringMatching(/^COMPONENT\s+TYPE\s+ACTION$/), expect.stringMatching(/^shop-db\s+db-schema\s+migrate$/), expect.stringMatching(/^shop-api\s+app\s+deploy$/), '']);
  });

  it('deploy --step moves the traffic through a canary of those steps, with the --trigger rollback triggers', async () => {
    handler = () => ({ status: 202, body: execution('pending', [{ status: 'pending' }]) });
    const { code } = await run(['deploy', 'shop-2.4.0', '--stack', 'shop', '-e', 'production', '--step', '20', '--step', 'analysis:30s:100', '--step', '100', '--trigger', 'judge == Fail']);
    expect(code).toBe(ExitCode.ok);
    expect(requests[0]?.body).toEqual({
      versionGroup: 'shop-2.4.0',
      canary: { steps: [{ setWeight: 20 }, { analysis: { window: '30s', minSamples: 100 } }, { setWeight: 100 }], rollbackTriggers: [{ when: 'judge == Fail' }] },
    });
  });

  it('refuses deploy --trigger without --step (a trigger watches a canary) as a usage error, sending nothing', async () => {
    const { code, stderr } = await run(['deploy', 'shop-2.4.0', '--stack', 'shop', '-e', 'production', '--trigger', 'judge == Fail']);
    expect(code).toBe(ExitCode.usage);
    expect(stderr).toContain('deploy --trigger watches a canary: give its --step too');
    expect(requests).toEqual([]);
  });

  it('deploy --watch follows the execution it started, printing each new state, and exits 0 when it succeeds', async () => {
    const states = [execution('running', [{ status: 'succeeded' }, { status: 'running' }]), execution('succeeded', [{ status: 'succeeded' }, { status: 'succeeded' }])];
    let polls = 0;
    handler = (request) => (request.method === 'POST' ? { status: 202, body: execution('pending', [{ status: 'pending' }, { status: 'pending' }]) } : { status: 200, body: states[Math.min(polls++, states.length - 1)] });
    const { code, stdout, stderr } = await run(['deploy', 'shop-2.4.0', '--stack', 'shop', '-e', 'production', '--watch', '--interval', '5']);
    expect(code).toBe(ExitCode.ok);
    expect(requests[0]).toMatchObject({ method: 'POST', body: { versionGroup: 'shop-2.4.0' } });
    expect(requests.slice(1).map((request) => `${request.method} ${request.url}`)).toEqual(['GET /v1/executions/e-1', 'GET /v1/executions/e-1']);
    expect(stdout).toContain('status running, 1/2 steps succeeded');
    expect(stdout).toContain('status succeeded, 2/2 steps succeeded');
    expect(stdout).toMatch(/shop-api\s+app\s+deploy\s+running/);
    expect(stderr).toBe('deploy e-1 succeeded\n');
  });

  it('deploy --watch rides out an API restart, saying once that it reconnects, and exits 0 as the deploy succeeds meanwhile', async () => {
    let polls = 0;
    handler = (request) => {
      if (request.method === 'POST') return { status: 202, body: execution('pending', [{ status: 'pending' }]) };
      if (polls++ === 0) restart(600);
      return { status: 200, body: execution(polls === 1 ? 'running' : 'succeeded', [{ status: polls === 1 ? 'running' : 'succeeded' }]) };
    };
    const { code, stdout, stderr } = await run(['deploy', 'shop-2.4.0', '--stack', 'shop', '-e', 'production', '--watch', '--interval', '5']);
    await restarted; // so that, should the watch have given up early, the next tests still find the API
    expect({ code, stderr }).toEqual({ code: ExitCode.ok, stderr: expect.stringMatching(/^Strata at http:\/\/127\.0\.0\.1:\d+ is not answering \([^)]+\): reconnecting for up to 30 s\ndeploy e-1 succeeded\n$/) });
    expect(stdout).toContain('status succeeded, 1/1 steps succeeded');
  });

  it('execution watch on a terminal redraws in place: cursor up over the previous frame, then clear', async () => {
    const states = [execution('running', [{ status: 'running' }, { status: 'pending' }]), execution('failed', [{ status: 'failed', error: 'lock timeout' }, { status: 'pending' }])];
    let polls = 0;
    handler = () => ({ status: 200, body: states[Math.min(polls++, states.length - 1)] });
    const { code, stdout, stderr } = await run(['execution', 'watch', 'e-1', '--interval', '5'], true);
    const firstFrame = stdout.slice(0, stdout.indexOf('\x1b['));
    expect(stdout.slice(firstFrame.length, firstFrame.length + 8)).toBe(`\x1b[${firstFrame.split('\n').length - 1}A\x1b[0J`);
    expect(code).toBe(ExitCode.failed);
    expect(stderr).toBe('error: deploy e-1 failed: shop-db migrate: lock timeout\n');
  });

  it('rollback sends only what was given: --to, --reason', async () => {
    handler = () => ({ status: 202, body: { ...execution('pending', [{ status: 'pending' }]), kind: 'rollback' } });
    const { code, stdout } = await run(['rollback', '--stack', 'shop', '-e', 'production', '--to', 'shop-2.3.0', '--reason', 'p99 doubled']);
    expect(code).toBe(ExitCode.ok);
    expect(requests).toEqual([expect.objectContaining({ method: 'POST', url: '/v1/stacks/shop/environments/production/rollback', body: { to: 'shop-2.3.0', reason: 'p99 doubled' } })]);
    expect(stdout.split('\n')[0]).toBe('rollback e-1: shop/production shop-2.3.0 -> shop-2.4.0');
  });

  it('execution retry and abandon post to the execution; get -o json prints the API object as is', async () => {
    handler = () => ({ status: 200, body: execution('running', [{ status: 'running' }]) });
    expect((await run(['execution', 'retry', 'e-1'])).code).toBe(ExitCode.ok);
    expect((await run(['execution', 'abandon', 'e-1'])).code).toBe(ExitCode.ok);
    const json = await run(['execution', 'get', 'e-1', '-o', 'json']);
    expect(requests.map((request) => `${request.method} ${request.url}`)).toEqual(['POST /v1/executions/e-1/retry', 'POST /v1/executions/e-1/abandon', 'GET /v1/executions/e-1']);
    expect(JSON.parse(json.stdout)).toEqual(execution('running', [{ status: 'running' }]));
  });

  it('execution stop posts to the execution, with --reason in the body when given', async () => {
    handler = () => ({ status: 200, body: execution('failed', [{ status: 'failed', error: 'stopped by alice: nodes crash-loop' }]) });
    expect((await run(['execution', 'stop', 'e-1', '--reason', 'nodes crash-loop'])).code).toBe(ExitCode.ok);
    expect((await run(['execution', 'stop', 'e-1'])).code).toBe(ExitCode.ok);
    expect(requests.map((request) => [`${request.method} ${request.url}`, request.body])).toEqual([
      ['POST /v1/executions/e-1/stop', { reason: 'nodes crash-loop' }],
      ['POST /v1/executions/e-1/stop', {}],
    ]);
  });

  it('executions lists with the filters as query parameters and, with --all, follows every page', async () => {
    handler = (request) =>
      request.url.includes('after=p2') ? { status: 200, body: { items: [{ ...execution('failed', []), id: 'e-2' }] } } : { status: 200, body: { items: [execution('succeeded', [])], nextCursor: 'p2' } };
    const { code, stdout } = await run(['executions', '--stack', 'shop', '-e', 'production', '--status', 'failed', '--all', '--limit', '1']);
    expect(code).toBe(ExitCode.ok);
    expect(requests.map((request) => request.url)).toEqual(['/v1/executions?stack=shop&environment=production&status=failed&limit=1', '/v1/executions?stack=shop&environment=production&status=failed&limit=1&after=p2']);
    expect(stdout.trim().split('\n').map((line) => line.split(/\s+/)[0])).toEqual(['ID', 'e-1', 'e-2']);
  });

  it('maps a 404 to exit 3 and a 409 to exit 4, each as one line naming what the problem names', async () => {
    handler = () => problem(404, "execution 'e-9' does not exist");
    expect(await run(['execution', 'get', 'e-9'])).toEqual({ code: ExitCode.notFound, stdout: '', stderr: "error: 404 Not Found: execution 'e-9' does not exist (correlation id c-1)\n" });
    handler = () => problem(409, 'the execution is not failed', [{ field: 'status', message: 'is succeeded' }]);
    expect(await run(['execution', 'retry', 'e-1'])).toEqual({ code: ExitCode.conflict, stdout: '', stderr: 'error: 409 Conflict: the execution is not failed; status: is succeeded (correlation id c-1)\n' });
  });

  it('refuses a deploy without its placement as a usage error (exit 2), sending nothing', async () => {
    const { code, stderr } = await run(['deploy', 'shop-2.4.0', '--stack', 'shop']);
    expect(code).toBe(ExitCode.usage);
    expect(stderr).toContain("required option '-e, --environment <environment>' not specified");
    expect(requests).toEqual([]);
  });
});
