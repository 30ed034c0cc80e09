import { TestDatabase, createTestDatabase, eventually, requireKafkaBrokers, uniqueTopicPrefix } from '@strata/testing';
import { portOrFree } from '@strata/runtime';
import { Client } from 'pg';
import { apiCall } from './support/api';
import { executionDone, schemaDump, startExecution } from './support/executions';
import { ServiceProcess, distributedModeEnv, waitForHealthy } from './support/service-process';

const STACK = 'shop';
const INDEX = 'orders_customer_id_idx';
/** The workload: a lookup by a column no index serves, and one the primary key serves. */
const SLOW = 'SELECT id, total FROM orders WHERE customer_id = 4242';
const SERVED = 'SELECT id, customer_id FROM orders WHERE id = 17';
/** The window after a promotion whose effect predictive-staging records (15 min by default). */
const OBSERVATION_WINDOW_MS = 2_000;

interface StatementMeasurement {
  sql: string;
  served?: boolean;
  before: { medianMs: number; cost: number };
  after: { medianMs: number; cost: number };
}

interface Proposal {
  id: string;
  status: string;
  change: { table: string; columns: string[]; up: string; down: string };
  staging: { database: string; tables: { table: string; rows: number }[]; validated: boolean; measurement: { timeReduction: number; costReduction: number; statements: StatementMeasurement[] } } | null;
  promotion: { version?: string; versionGroup?: string; executionId?: string; error: string | null } | null;
  observed: {
    timeReduction: number | null;
    predictedTimeReduction: number | null;
    statements: { sql: string; beforeMs: number | null; afterMs: number | null }[];
    window?: { windowMs: number; promotedAt: string; statements: { timeReduction: number | null; statements: { sql: string; beforeMs: number | null; afterMs: number | null }[] }; reduction: number | null; predictedReduction: number | null; verdict: string };
  } | null;
  transitions?: { to: string }[];
}

interface Execution {
  id: string;
  status: string;
  steps: { component: string; action: string; status: string }[];
}

/**
 * Acceptance point 1 of issue [P] in distributed mode: the registry, the rollback service and
 * predictive-staging as processes on PostgreSQL and Kafka, and a production database whose orders
 * table misses an index. The workload's statistics make an index proposal; it is staged on a
 * sampled copy and validated on what EXPLAIN (ANALYZE) measured there, promoted as a db-schema
 * version the rollback service's forward execution applies to production (a valid index), its
 * observed effect kept, and rolled back on request: the schema is as before but for Strata's ledger.
 */
describe('an index proposal from workload to production and back (distributed mode)', () => {
  const brokers = requireKafkaBrokers();
  const topicPrefix = uniqueTopicPrefix('e2e-pidx');
  let database: TestDatabase;
  let target: TestDatabase;
  let targetSql: Client;
  let registryUrl: string;
  let rollbackUrl: string;
  let predictiveUrl: string;
  const processes: ServiceProcess[] = [];

  const api = <T = Record<string, unknown>>(base: string, method: string, path: string, body?: unknown) => apiCall<T>(base, method, path, body);
  const created = async (base: string, path: string, body: unknown) => {
    const answer = await api(base, 'POST', path, body);
    expect({ path, status: answer.status, body: answer.body }).toMatchObject({ status: 201 });
  };
  const untilDone = (id: string) => executionDone<Execution>(rollbackUrl, id, 30_000);
  const start = (kind: 'deploy' | 'rollback', body: Record<string, unknown>) => startExecution<Execution>(rollbackUrl, STACK, kind, body);
  const proposal = async (id: string) => (await api<Proposal>(predictiveUrl, 'GET', `/v1/proposals/${id}`)).body;
  const index = async () => (await targetSql.query<{ valid: boolean; ready: boolean; definition: string }>(`SELECT i.indisvalid AS valid, i.indisready AS ready, pg_get_indexdef(i.indexrelid) AS definition FROM pg_index i WHERE i.indexrelid = to_regclass($1)`, [INDEX])).rows;

  const targetSchema = () => schemaDump(target.url);

  /** The workload as production runs it: each statement `calls` times, its mean time measured by the client. */
  async function runWorkload(workload: readonly { query: string; calls: number }[]): Promise<{ query: string; calls: number; meanExecTimeMs: number }[]> {
    const measured = [];
    for (const { query, calls } of workload) {
      const started = process.hrtime.bigint();
      for (let call = 0; call < calls; call += 1) await targetSql.query(query);
      measured.push({ query, calls, meanExecTimeMs: Number(process.hrtime.bigint() - started) / 1e6 / calls });
    }
    return measured;
  }

  beforeAll(async () => {
    [database, target] = await Promise.all([createTestDatabase('e2e-pidx'), createTestDatabase('e2e-pidx-target')]);
    targetSql = new Client({ connectionString: target.url });
    await targetSql.connect();

    const common = { ...distributedModeEnv(database.url, brokers, topicPrefix), SHOP_DB_URL: target.url };
    const [registryPort, rollbackPort, predictivePort] = await Promise.all([0, 0, 0].map(() => portOrFree(0, '127.0.0.1')));
    registryUrl = `http://127.0.0.1:${registryPort}`;
    rollbackUrl = `http://127.0.0.1:${rollbackPort}`;
    predictiveUrl = `http://127.0.0.1:${predictivePort}`;
    processes.push(
      new ServiceProcess('registry', { ...common, PORT: String(registryPort) }),
      new ServiceProcess('rollback', { ...common, PORT: String(rollbackPort), ROLLBACK_EXECUTION_TICK_MS: '100' }),
      new ServiceProcess('predictive-staging', {
        ...common,
        PORT: String(predictivePort),
        STRATA_REGISTRY_URL: registryUrl,
        STRATA_ROLLBACK_URL: rollbackUrl,
        PREDICTIVE_LSTM_ENABLED: 'false',
        PREDICTIVE_FORECAST_INTERVAL_MS: '0',
        PREDICTIVE_STAGING_SAMPLE_PERCENT: '25',
        PREDICTIVE_PROMOTION_WAIT_MS: '30000',
        PREDICTIVE_OBSERVATION_WINDOW_MS: String(OBSERVATION_WINDOW_MS),
        PREDICTIVE_OBSERVATION_INTERVAL_MS: '250',
      }),
    );
    for (const service of processes) service.start();
    // The production table loads while the processes start.
    await targetSql.query('CREATE TABLE orders (id bigint PRIMARY KEY, customer_id integer NOT NULL, total numeric NOT NULL)');
    await targetSql.query('INSERT INTO orders SELECT g, g % 20000, g * 1.5 FROM generate_series(1, 200000) AS g');
    await targetSql.query('ANALYZE orders');
    await Promise.all(processes.map((service, position) => waitForHealthy([registryUrl, rollbackUrl, predictiveUrl][position] as string, service, 60_000)));

    // The stack as deployed before the workload: the schema's first version and a config beside it.
    await created(registryUrl, '/v1/stacks', { name: STACK, environments: [{ name: 'production' }] });
    await created(registryUrl, '/v1/components', { name: 'shop-db', stack: STACK, type: 'db-schema', target: { databaseUrlFrom: 'SHOP_DB_URL' } });
    await created(registryUrl, '/v1/components/shop-db/versions', {
      version: '1.0.0',
      spec: { up: 'CREATE TABLE IF NOT EXISTS orders (id bigint PRIMARY KEY, customer_id integer NOT NULL, total numeric NOT NULL)', down: 'SELECT 1' },
      rollback: [{ sql: { from: 'down' } }],
    });
    await created(registryUrl, '/v1/components', { name: 'shop-flags', stack: STACK, type: 'infra-config' });
    await created(registryUrl, '/v1/components/shop-flags/versions', { version: '1.0.0', spec: { coupons: false } });
    await created(registryUrl, `/v1/stacks/${STACK}/version-groups`, { name: 'shop-1', environment: 'production', members: [{ component: 'shop-db', version: '1.0.0' }, { component: 'shop-flags', version: '1.0.0' }] });
    expect((await untilDone((await start('deploy', { versionGroup: 'shop-1' })).id)).status).toBe('succeeded');
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map((service) => service.stop()));
    await targetSql?.end();
    await Promise.all([database?.drop(), target?.drop()]);
  }, 60_000);

  let id: string;
  let before: string;

  it('proposes the missing index from the workload, stages it on a sampled copy and validates it on the measured EXPLAIN (ANALYZE)', async () => {
    const statements = await runWorkload([
      { query: SLOW, calls: 20 },
      { query: SERVED, calls: 200 },
    ]);
    const advice = await api<{ path: string; proposals: Proposal[]; rejected: unknown[] }>(predictiveUrl, 'POST', '/v1/proposals/indexes', { stack: STACK, environment: 'production', component: 'shop-db', databaseUrlFrom: 'SHOP_DB_URL', statements });
    expect({ status: advice.status, body: advice.body }).toMatchObject({ status: 201, body: { proposals: [{ status: 'proposed', change: { table: 'orders', columns: ['customer_id'] } }] } });
    expect(advice.body.proposals).toHaveLength(1);
    id = advice.body.proposals[0]?.id as string;

    const staged = await api<Proposal>(predictiveUrl, 'POST', `/v1/proposals/${id}/stage`);
    expect({ status: staged.status, body: staged.body }).toMatchObject({ status: 200, body: { status: 'staged' } });
    const staging = staged.body.staging as NonNullable<Proposal['staging']>;
    expect(staging.tables).toEqual([expect.objectContaining({ table: 'public.orders' })]);
    expect(staging.tables[0]?.rows).toBeGreaterThan(40_000);
    expect(staging.tables[0]?.rows).toBeLessThan(60_000);
    const [measured] = staging.measurement.statements;
    // A sequential scan of the copy before, the index after: both the median time and the planner cost at least halve.
    expect(measured).toMatchObject({ sql: SLOW, served: true });
    expect(measured?.after.medianMs).toBeLessThan((measured?.before.medianMs ?? 0) / 2);
    expect(measured?.after.cost).toBeLessThan((measured?.before.cost ?? 0) / 2);
    expect(staging.measurement.timeReduction).toBeGreaterThanOrEqual(0.5);
    expect(staging.measurement.costReduction).toBeGreaterThanOrEqual(0.5);
    expect(staging.validated).toBe(true);
    // The copy is dropped and production is only read.
    expect((await targetSql.query('SELECT 1 FROM pg_database WHERE datname = $1', [staging.database])).rows).toEqual([]);
    expect(await index()).toEqual([]);

    const validated = await api<Proposal>(predictiveUrl, 'POST', `/v1/proposals/${id}/validate`);
    expect({ status: validated.status, body: validated.body }).toMatchObject({ status: 200, body: { status: 'validated' } });
    // What the proposal keeps is what staging measured.
    expect((await proposal(id)).staging?.measurement).toEqual(staging.measurement);
  }, 60_000);

  it('promotes it as a db-schema version the forward execution applies to production: a valid index, the observed effect beside the predicted one', async () => {
    before = targetSchema();
    const promoted = await api<Proposal>(predictiveUrl, 'POST', `/v1/proposals/${id}/promote`, {});
    expect({ status: promoted.status, body: promoted.body }).toMatchObject({ status: 200, body: { status: 'promoted', promotion: { version: '1.1.0', versionGroup: expect.stringMatching(/^shop-index-/), executionId: expect.any(String), error: null } } });
    expect(await index()).toEqual([{ valid: true, ready: true, definition: `CREATE INDEX ${INDEX} ON public.orders USING btree (customer_id)` }]);
    const execution = (await api<Execution>(rollbackUrl, 'GET', `/v1/executions/${promoted.body.promotion?.executionId}`)).body;
    expect(execution).toMatchObject({ status: 'succeeded', steps: expect.arrayContaining([expect.objectContaining({ component: 'shop-db', action: 'apply', status: 'succeeded' })]) });
    const map = await eventually(async () => {
      const answer = await api<{ slots: { component: string; version: string; status: string }[] }>(registryUrl, 'GET', `/v1/stacks/${STACK}/environments/production/version-map`);
      expect(answer.body.slots.map((slot) => `${slot.component} ${slot.version} ${slot.status}`).sort()).toEqual(['shop-db 1.1.0 deployed', 'shop-flags 1.0.0 deployed']);
      return answer.body;
    }, 20_000, 100);
    expect(map.slots).toHaveLength(2);

    const shown = await proposal(id);
    expect(shown.observed?.statements).toEqual([{ sql: SLOW, beforeMs: expect.any(Number), afterMs: expect.any(Number) }]);
    expect(shown.observed?.timeReduction).toBeGreaterThanOrEqual(0.5);
    expect(shown.observed?.predictedTimeReduction).toBe(shown.staging?.measurement.timeReduction);
    expect(shown.transitions?.map((transition) => transition.to)).toEqual(['proposed', 'staged', 'validated', 'promoted']);

    // Once the window after the promotion has passed: production's effect over it, beside the prediction.
    const window = await eventually(async () => {
      const observed = (await proposal(id)).observed?.window;
      if (!observed) throw new Error('not observed yet');
      return observed;
    }, 20_000, 100);
    expect(window).toMatchObject({ windowMs: OBSERVATION_WINDOW_MS, predictedReduction: shown.staging?.measurement.timeReduction, verdict: 'held' });
    expect(window.statements.statements).toEqual([{ sql: SLOW, beforeMs: shown.observed?.statements[0]?.beforeMs, afterMs: expect.any(Number) }]);
    expect(window.statements.timeReduction).toBeGreaterThanOrEqual(0.5);
    expect(window.reduction).toBe(window.statements.timeReduction);
  }, 60_000);

  it('rolls the promoted group back on request: the index is gone and the schema is as before but for the ledger', async () => {
    const back = await untilDone((await start('rollback', { reason: 'the index slowed the writes' })).id);
    expect(back).toMatchObject({ status: 'succeeded', steps: expect.arrayContaining([expect.objectContaining({ component: 'shop-db', action: 'revert', status: 'succeeded' })]) });
    expect(await index()).toEqual([]);
    const dump = targetSchema();
    expect(dump).not.toContain(INDEX);
    expect(dump).toEqual(before);
  }, 60_000);
});
