import { PredictiveStagingModule, readPredictiveStagingSettings } from '@strata/predictive-staging';
import { RegistryModule, TokensService } from '@strata/registry';
import { RollbackModule } from '@strata/rollback';
import { TEST_ADMIN_TOKEN, TestDatabase, createTestDatabase, eventually } from '@strata/testing';
import { ServiceTestApp, freePort, startServiceTestApp } from '@strata/testing/harness';
import { tmpdir } from 'node:os';
import { Client } from 'pg';
import { runCaptured } from './cli/captured-io';
import { ExitCode } from './cli/errors';

const STACK = 'shop';
const SLOW = 'SELECT id, total FROM orders WHERE customer_id = 4242';
const INDEX = 'orders_customer_id_idx';
const DOWN_URL = 'postgres://strata:s3cret-pw@127.0.0.1:1/none';

interface Proposal {
  id: string;
  status: string;
  reason: string;
  staging: { measurement: { timeReduction: number } } | null;
  observed: { timeReduction: number | null; predictedTimeReduction: number | null; statements: { sql: string; beforeMs: number | null; afterMs: number | null }[] } | null;
  promotion: { stack: string; environment: string; component: string; version?: string; versionGroup?: string; executionId?: string; error: string | null; leaseUntil: string | null } | null;
  transitions?: { to: string }[];
}

interface Execution {
  id: string;
  status: string;
  steps: { component: string; action: string; status: string; outcome: string | null; error: string | null }[];
}

/**
 * Acceptance point 1 of issue [P], as the embedded mode runs it: the registry, the rollback service
 * and predictive-staging on one origin that predictive-staging calls over HTTP with the operator's
 * token, a production database with a table missing an index. The workload's proposal is staged,
 * validated, promoted as a db-schema version the forward execution applies (the index is in
 * pg_indexes), its observed effect kept, and rolled back on request (the index is gone).
 */
describe('promotion of an index proposal', () => {
  let target: TestDatabase;
  let sut: ServiceTestApp;
  let sql: Client;
  const predictiveEnvironment: Record<string, string> = {};
  let port: number;
  const http = () => sut.http();

  const execution = async (id: string) => (await http().get(`/v1/executions/${id}`).expect(200)).body as Execution;
  const untilDone = (id: string) =>
    eventually(
      async () => {
        const current = await execution(id);
        if (!['succeeded', 'failed', 'abandoned'].includes(current.status)) throw new Error(`execution still ${current.status}`);
        return current;
      },
      60_000,
      100,
    );
  const indexes = async () => (await sql.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE tablename = 'orders' ORDER BY indexname`)).rows.map((row) => row.indexname);
  const proposal = async (id: string) => (await http().get(`/v1/proposals/${id}`).expect(200)).body as Proposal;
  const versions = async () => ((await http().get('/v1/components/shop-db/versions').expect(200)).body as { version: string }[]).map((version) => version.version).sort();

  beforeAll(async () => {
    target = await createTestDatabase('promotion-target');
    sql = new Client({ connectionString: target.url });
    await sql.connect();
    await sql.query('CREATE TABLE orders (id bigint PRIMARY KEY, customer_id integer NOT NULL, total numeric NOT NULL)');
    await sql.query('INSERT INTO orders SELECT g, g % 20000, g * 1.5 FROM generate_series(1, 200000) AS g');
    await sql.query('ANALYZE orders');
    predictiveEnvironment['SHOP_DB_URL'] = target.url;

    port = await freePort();
    const settings = readPredictiveStagingSettings({ PREDICTIVE_LSTM_ENABLED: 'false', PREDICTIVE_FORECAST_INTERVAL_MS: '0', PREDICTIVE_STAGING_SAMPLE_PERCENT: '25', PREDICTIVE_PROMOTION_WAIT_MS: '60000' }, `http://127.0.0.1:${port}`);
    sut = await startServiceTestApp({
      label: 'promotion',
      poolSize: 6,
      outboxPollIntervalMs: 50,
      modules: (options) => [
        RegistryModule.register(options),
        RollbackModule.register(options, { tickMs: 100, targetEnvironment: { SHOP_DB_URL: target.url } }),
        PredictiveStagingModule.register(options, settings, predictiveEnvironment),
      ],
      tokenLookup: (built) => built.get(TokensService, { strict: false }),
    });
    await sut.app.listen(port, '127.0.0.1');

    // The stack as deployed before the workload: the schema's first version and a config beside it.
    await http().post('/v1/stacks').send({ name: STACK, environments: [{ name: 'production' }] }).expect(201);
    await http().post('/v1/components').send({ name: 'shop-db', stack: STACK, type: 'db-schema', target: { databaseUrlFrom: 'SHOP_DB_URL' } }).expect(201);
    await http().post('/v1/components/shop-db/versions').send({ version: '1.0.0', spec: { up: 'CREATE TABLE IF NOT EXISTS orders (id bigint PRIMARY KEY, customer_id integer NOT NULL, total numeric NOT NULL)', down: 'SELECT 1' }, rollback: [{ sql: { from: 'down' } }] }).expect(201);
    await http().post('/v1/components').send({ name: 'shop-flags', stack: STACK, type: 'infra-config' }).expect(201);
    await http().post('/v1/components/shop-flags/versions').send({ version: '1.0.0', spec: { coupons: false } }).expect(201);
    await http().post(`/v1/stacks/${STACK}/version-groups`).send({ name: 'shop-1', environment: 'production', members: [{ component: 'shop-db', version: '1.0.0' }, { component: 'shop-flags', version: '1.0.0' }] }).expect(201);
    const first = await eventually(async () => (await http().post(`/v1/stacks/${STACK}/environments/production/deploy`).send({ versionGroup: 'shop-1' }).expect(202)).body as Execution, 20_000, 100);
    expect((await untilDone(first.id)).status).toBe('succeeded');
  }, 180_000);

  afterAll(async () => {
    await sql?.end();
    await sut?.close();
    await target?.drop();
  });

  let validated: Proposal;

  it('proposes the missing index from the workload, stages it on a copy and validates it on the measured EXPLAIN ANALYZE', async () => {
    const advice = await http()
      .post('/v1/proposals/indexes')
      .send({ stack: STACK, environment: 'production', component: 'shop-db', databaseUrlFrom: 'SHOP_DB_URL', statements: [{ query: SLOW, calls: 5_000, meanExecTimeMs: 18.5 }] })
      .expect(201);
    const id = (advice.body.proposals as Proposal[])[0]?.id as string;
    await http().post(`/v1/proposals/${id}/stage`).expect(200);
    validated = (await http().post(`/v1/proposals/${id}/validate`).expect(200)).body as Proposal;
    expect(validated.status).toBe('validated');
    expect(validated.staging?.measurement.timeReduction).toBeGreaterThanOrEqual(0.5);
    expect(await indexes()).toEqual(['orders_pkey']);
  }, 120_000);

  it('answers problem+json naming the field for an unknown stack, environment or component and an unreachable target, and promotes nothing', async () => {
    const refused = async (body: Record<string, unknown>, status: number) => (await http().post(`/v1/proposals/${validated.id}/promote`).send(body).expect(status)).body as { errors: { field: string; message: string }[] };
    expect((await refused({ stack: 'nope' }, 422)).errors).toEqual([{ field: 'stack', message: expect.any(String) }]);
    expect((await refused({ environment: 'nope' }, 422)).errors).toEqual([{ field: 'environment', message: expect.stringContaining("'nope' is not an environment") }]);
    expect((await refused({ component: 'shop-flags' }, 422)).errors).toEqual([{ field: 'component', message: expect.stringContaining('infra-config') }]);
    expect((await refused({ stack: 'x y' }, 400)).errors).toEqual([expect.objectContaining({ field: 'stack' })]);
    predictiveEnvironment['SHOP_DB_URL'] = DOWN_URL;
    try {
      const down = await refused({}, 422);
      expect(down.errors).toEqual([{ field: 'target.databaseUrlFrom', message: expect.stringContaining('unreachable') }]);
      expect(JSON.stringify(down)).not.toContain('s3cret-pw');
    } finally {
      predictiveEnvironment['SHOP_DB_URL'] = target.url;
    }
    const after = await proposal(validated.id);
    expect(after).toMatchObject({ status: 'validated', promotion: { error: expect.stringContaining('unreachable'), leaseUntil: null } });
    expect(await versions()).toEqual(['1.0.0']);
    expect(await indexes()).toEqual(['orders_pkey']);
    await http().post('/v1/proposals/6f1c1d7e-0000-4000-8000-000000000000/promote').send({}).expect(404);
  }, 60_000);

  it('the rollback service answers a group it has not learnt with the problem type promotion retries on, not invalid-input', async () => {
    const unknown = await http().post(`/v1/stacks/${STACK}/environments/production/deploy`).send({ versionGroup: 'shop-never-registered' }).expect(422);
    expect(unknown.body).toMatchObject({ type: 'https://strata.dev/problems/not-yet-known', errors: [{ field: 'versionGroup', message: expect.stringContaining('has reached the rollback service') }] });
  });

  it('promotes it as a db-schema version in a new version group, applied to production by the forward execution, with the observed effect', async () => {
    const answer = await http().post(`/v1/proposals/${validated.id}/promote`).send({});
    expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 200, body: { status: "promoted" } });
    const promoted = answer.body as Proposal;
    expect(promoted).toMatchObject({ status: 'promoted', promotion: { stack: STACK, environment: 'production', component: 'shop-db', version: '1.1.0', versionGroup: expect.stringMatching(/^shop-index-/), executionId: expect.any(String), error: null } });
    expect(await indexes()).toEqual([INDEX, 'orders_pkey']);

    const version = (await http().get('/v1/components/shop-db/versions/1.1.0').expect(200)).body as { spec: { up: string; down: string }; rollback: unknown[]; config: Record<string, unknown> };
    expect(version.spec.up).toBe(`DROP INDEX CONCURRENTLY IF EXISTS ${INDEX};\nCREATE INDEX CONCURRENTLY ${INDEX} ON orders (customer_id);`);
    expect(version.spec.down).toBe(`DROP INDEX CONCURRENTLY IF EXISTS ${INDEX};`);
    expect(version).toMatchObject({ rollback: [{ sql: { from: 'down' } }], config: { lock_timeout: '5s' } });
    const group = (await http().get(`/v1/stacks/${STACK}/version-groups/${promoted.promotion?.versionGroup}`).expect(200)).body as { members: unknown[] };
    expect(group.members).toEqual([{ component: 'shop-db', version: '1.1.0' }, { component: 'shop-flags', version: '1.0.0' }]);
    const deployed = await execution(promoted.promotion?.executionId as string);
    expect(deployed.steps).toContainEqual(expect.objectContaining({ component: 'shop-db', action: 'apply', status: 'succeeded' }));

    const shown = await proposal(validated.id);
    expect(shown.observed?.statements).toEqual([{ sql: SLOW, beforeMs: expect.any(Number), afterMs: expect.any(Number) }]);
    expect(shown.observed?.timeReduction).toBeGreaterThanOrEqual(0.5);
    expect(shown.observed?.predictedTimeReduction).toBe(validated.staging?.measurement.timeReduction);
    expect(shown.transitions?.map((transition) => transition.to)).toEqual(['proposed', 'staged', 'validated', 'promoted']);
    const again = await http().post(`/v1/proposals/${validated.id}/promote`).send({}).expect(409);
    expect(again.body.errors).toEqual([{ field: 'status', message: 'is promoted' }]);
  }, 120_000);

  it('rolls the promoted group back on request like any group: the index is dropped', async () => {
    const rollback = (await http().post(`/v1/stacks/${STACK}/environments/production/rollback`).send({ reason: 'the index slowed the writes' }).expect(202)).body as Execution;
    const done = await untilDone(rollback.id);
    expect(done.status).toBe('succeeded');
    expect(done.steps).toContainEqual(expect.objectContaining({ component: 'shop-db', action: 'revert', status: 'succeeded' }));
    expect(await indexes()).toEqual(['orders_pkey']);
  }, 90_000);

  it('refuses to promote a rejected proposal, naming its status', async () => {
    const advice = await http()
      .post('/v1/proposals/indexes')
      .send({ stack: STACK, environment: 'production', component: 'shop-db', databaseUrlFrom: 'SHOP_DB_URL', statements: [{ query: 'SELECT id FROM orders WHERE total = 42', calls: 900, meanExecTimeMs: 15 }] })
      .expect(201);
    const id = (advice.body.proposals as Proposal[])[0]?.id as string;
    // As an SRE does it: `strata proposal reject`, then `strata proposal promote` (exit 4: the state is not what it assumed).
    const cli = (argv: string[]) => runCaptured(argv, { STRATA_API: `http://127.0.0.1:${port}`, STRATA_TOKEN: TEST_ADMIN_TOKEN, HOME: tmpdir() });
    const rejected = await cli(['proposal', 'reject', id, '--reason', 'not now', '-o', 'json']);
    expect({ code: rejected.code, stderr: rejected.stderr }).toEqual({ code: ExitCode.ok, stderr: '' });
    expect(JSON.parse(rejected.stdout)).toMatchObject({ id, status: 'rejected' });
    const promoted = await cli(['proposal', 'promote', id]);
    expect(promoted.code).toBe(ExitCode.conflict);
    expect(promoted.stderr).toContain('status: is rejected');
    const refused = await http().post(`/v1/proposals/${id}/promote`).send({}).expect(409);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.body.errors).toEqual([{ field: 'status', message: 'is rejected' }]);
  }, 60_000);
});
