import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { DEFAULT_ROLLBACK_TUNING } from '../config/rollback-tuning';
import { CatalogVersionEntity } from '../entities/catalog.entity';
import { ExecutionEntity, ExecutionStepEntity } from '../entities/execution.entity';
import { ActionsExecutor } from './actions.executor';
import { LayerExecutorRegistry } from './layer-executor';
import { StepContext } from './layer-executor';

/** An HTTP target answering each path with the status queued for it (200 once the queue is empty). */
function target(): Promise<{ url: string; calls: { path: string; key: string | undefined }[]; answers: Map<string, number[]>; server: Server }> {
  const calls: { path: string; key: string | undefined }[] = [];
  const answers = new Map<string, number[]>();
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    const key = request.headers['idempotency-key'];
    calls.push({ path, key: typeof key === 'string' ? key : undefined });
    response.statusCode = answers.get(path)?.shift() ?? 200;
    response.end(path === '/health' ? 'ok: ready' : '');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, answers, server })));
}

function context(action: 'apply' | 'revert', version: Partial<CatalogVersionEntity>, now: number): StepContext {
  const step = { index: 0, action, component: 'flags', type: 'infra-config', fromVersion: '2.0.0', toVersion: '1.0.0', status: 'running', idempotencyKey: 'exec:0:revert:flags@1.0.0', error: null, detail: {}, startedAt: new Date(now), finishedAt: null } as unknown as ExecutionStepEntity;
  return { execution: { id: 'exec', stack: 's', environment: 'e' } as ExecutionEntity, step, version: { rollback: [], healthCheck: null, ...version } as CatalogVersionEntity, restored: null, manager: undefined as never, now: new Date(now) };
}

describe('ActionsExecutor', () => {
  // HTTP actions only: the event outbox is never reached in these cases.
  const executor = new ActionsExecutor(undefined as never, { ...DEFAULT_ROLLBACK_TUNING, httpActionTimeoutMs: 2_000 });
  let server: Awaited<ReturnType<typeof target>>;

  beforeEach(async () => {
    server = await target();
  });
  afterEach(() => new Promise<void>((resolve) => server.server.close(() => resolve())));

  it('runs the rollback actions in order, one per advance, with an idempotency key per action', async () => {
    const ctx = context('revert', { rollback: [{ http: { url: `${server.url}/a`, method: 'POST', expectStatus: 200 } }, { routing: { restore: 'previous' } }, { http: { url: `${server.url}/b`, method: 'DELETE', expectStatus: 200 } }] }, 0);
    expect(await executor.progress(ctx)).toMatchObject({ status: 'waiting' });
    expect(ctx.step.detail.actionsDone).toBe(1);
    expect(await executor.progress(ctx)).toMatchObject({ status: 'waiting' });
    expect(await executor.progress(ctx)).toEqual({ status: 'succeeded', outcome: '3 rollback action(s) done' });
    expect(server.calls).toEqual([
      { path: '/a', key: 'exec:0:revert:flags@1.0.0:0' },
      { path: '/b', key: 'exec:0:revert:flags@1.0.0:2' },
    ]);
  });

  it('retries a failed call with backoff and fails the step after the last attempt, naming the action and the answer', async () => {
    server.answers.set('/undo', [500, 500, 500, 500]);
    const ctx = context('revert', { rollback: [{ http: { url: `${server.url}/undo`, method: 'POST', expectStatus: 204 } }] }, 0);
    let now = 1_000_000;
    const advance = (ms: number) => {
      now += ms;
      ctx.now = new Date(now);
      return executor.progress(ctx);
    };
    expect(await advance(0)).toMatchObject({ status: 'waiting', outcome: expect.stringContaining('attempt 1 of 4') });
    expect(await advance(500)).toMatchObject({ status: 'waiting', outcome: expect.stringContaining('waiting to try again') });
    expect(server.calls).toHaveLength(1);
    expect(await advance(600)).toMatchObject({ status: 'waiting', outcome: expect.stringContaining('attempt 2 of 4') });
    expect(await advance(2_000)).toMatchObject({ status: 'waiting', outcome: expect.stringContaining('attempt 3 of 4') });
    expect(await advance(4_000)).toEqual({ status: 'failed', error: `rollback[0] POST ${server.url}/undo failed 4 times; last: answered 500, expected 204` });
    expect(server.calls).toHaveLength(4);
  });

  it('succeeds on a later attempt', async () => {
    server.answers.set('/undo', [503]);
    const ctx = context('revert', { rollback: [{ http: { url: `${server.url}/undo`, method: 'POST', expectStatus: 200 } }] }, 0);
    expect(await executor.progress(ctx)).toMatchObject({ status: 'waiting' });
    ctx.now = new Date(ctx.now.getTime() + 1_000);
    expect(await executor.progress(ctx)).toEqual({ status: 'succeeded', outcome: '1 rollback action(s) done' });
  });

  it('forward, checks the version is live through its HTTP health check, body included', async () => {
    const healthy = context('apply', { healthCheck: { url: `${server.url}/health`, expectStatus: 200, expect: 'ready', timeout: '1s', interval: '5s' } }, 0);
    expect(await executor.progress(healthy)).toEqual({ status: 'succeeded', outcome: `health check GET ${server.url}/health answered as expected` });
    const wrongBody = context('apply', { healthCheck: { url: `${server.url}/health`, expectStatus: 200, expect: 'green', timeout: '1s', interval: '5s' } }, 0);
    expect(await executor.progress(wrongBody)).toMatchObject({ status: 'waiting', outcome: expect.stringContaining("does not contain 'green'") });
    expect(await executor.progress(context('apply', {}, 0))).toEqual({ status: 'succeeded', outcome: 'no HTTP health check declared: nothing to verify' });
  });

  it('refuses an sql action, which only a db-schema component runs', async () => {
    const ctx = context('revert', { rollback: [{ sql: { from: 'down' } }] }, 0);
    expect(await executor.progress(ctx)).toEqual({ status: 'failed', error: 'rollback[0] is an sql action, which only a db-schema component can run' });
  });
});

describe('LayerExecutorRegistry', () => {
  const executor = (types: string[]) => ({ types, progress: async () => ({ status: 'succeeded' as const, outcome: '' }), describe: () => [] });

  it('finds the executor of a type, and the fallback for a type without one', () => {
    const db = executor(['db-schema']);
    const fallback = executor(['infra-config']);
    const registry = new LayerExecutorRegistry([db, fallback], fallback);
    expect(registry.of('db-schema')).toBe(db);
    expect(registry.of('queue-topic')).toBe(fallback);
  });

  it('refuses two executors for one type', () => {
    expect(() => new LayerExecutorRegistry([executor(['app']), executor(['app'])], executor([]))).toThrow("two layer executors claim component type 'app'");
  });
});
