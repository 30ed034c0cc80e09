import { ListPage, TestDatabase, createTestDatabase, eventually, idsPagedThrough } from '@strata/testing';
import { Client } from 'pg';
import { PredictiveStagingTestApp, startPredictiveStagingTestApp, testSettings } from './test-support/predictive-staging-test-app';

interface Proposal {
  id: string;
  kind: string;
  status: string;
  title: string;
  reason: string;
  target: Record<string, unknown>;
  change: { type: string; table: string; columns: string[]; up: string; down: string };
  evidence: { path: string; statements: { query: string; calls: number | null; meanExecTimeMs: number | null }[] };
  expected: { costBefore: number; costAfter: number; costReduction: number };
  transitions?: { from: string | null; to: string; actor: string; reason: string }[];
}

const SLOW = 'SELECT id, total FROM orders WHERE customer_id = 4242';
const SERVED = 'SELECT id, customer_id FROM orders WHERE id = 17';

/**
 * Proposals on the real PostgreSQL: the index advisor run on a target database named by a variable,
 * a proposal per kept index with its evidence and expected effect, the lifecycle's moves recorded and
 * announced, and every bad request answered with problem+json naming its field.
 */
describe('predictive-staging proposals', () => {
  let target: TestDatabase;
  let sut: PredictiveStagingTestApp;
  let proposal: Proposal;

  beforeAll(async () => {
    target = await createTestDatabase('ps-proposals-target');
    const client = new Client({ connectionString: target.url });
    await client.connect();
    await client.query('CREATE TABLE orders (id bigint PRIMARY KEY, customer_id integer NOT NULL, total numeric NOT NULL)');
    await client.query('INSERT INTO orders SELECT g, g % 20000, g * 1.5 FROM generate_series(1, 200000) AS g');
    await client.query('ANALYZE orders');
    await client.end();
    sut = await startPredictiveStagingTestApp('ps-proposals', testSettings(), undefined, { SHOP_DB_URL: target.url, DOWN_DB_URL: 'postgres://strata:s3cret-pw@127.0.0.1:1/none' });
  }, 120_000);

  afterAll(async () => {
    await sut?.close();
    await target?.drop();
  });

  const request = (overrides: Record<string, unknown> = {}) => ({
    stack: 'shop',
    environment: 'production',
    component: 'shop-db',
    databaseUrlFrom: 'SHOP_DB_URL',
    statements: [
      { query: SLOW, calls: 5_000, meanExecTimeMs: 18.5 },
      { query: SERVED, calls: 90_000, meanExecTimeMs: 0.05 },
    ],
    ...overrides,
  });

  it('proposes the missing index from the slow statement, with its evidence, expected effect and SQL', async () => {
    const answer = await sut.http().post('/v1/proposals/indexes').send(request()).expect(201);
    expect(answer.body).toMatchObject({ statementsRead: 2, proposals: [expect.objectContaining({ kind: 'index', status: 'proposed' })] });
    expect(answer.body.proposals).toHaveLength(1);
    proposal = answer.body.proposals[0] as Proposal;
    expect(proposal.title).toBe('index on orders (customer_id)');
    expect(proposal.change).toMatchObject({ type: 'db-schema', table: 'orders', columns: ['customer_id'], up: expect.stringMatching(/^CREATE INDEX CONCURRENTLY .* ON .*orders.* \(.*customer_id.*\)/), down: expect.stringMatching(/^DROP INDEX CONCURRENTLY IF EXISTS /) });
    expect(proposal.target).toEqual({ databaseUrlFrom: 'SHOP_DB_URL' });
    expect(proposal.evidence.statements).toEqual([{ query: SLOW, calls: 5_000, meanExecTimeMs: 18.5 }]);
    expect(proposal.expected.costAfter).toBeLessThan(proposal.expected.costBefore / 2);
    expect(proposal.expected.costReduction).toBeGreaterThanOrEqual(0.5);
    expect(JSON.stringify(answer.body)).not.toContain(target.url);
    await eventually(async () => expect(sut.published.filter((event) => event.type === 'io.strata.staging.proposal.changed.v1').map((event) => event.data)).toEqual([expect.objectContaining({ proposalId: proposal.id, from: null, status: 'proposed' })]), 10_000, 50);
  });

  it('lists proposals newest first with filters, and shows one with every move of its lifecycle', async () => {
    const listed = await sut.http().get('/v1/proposals?stack=shop&status=proposed&kind=index').expect(200);
    expect(listed.body).toEqual({ items: [expect.objectContaining({ id: proposal.id })], nextCursor: null });
    expect((await sut.http().get('/v1/proposals?stack=other').expect(200)).body.items).toEqual([]);
    const shown = await sut.http().get(`/v1/proposals/${proposal.id}`).expect(200);
    expect((shown.body as Proposal).transitions).toEqual([expect.objectContaining({ from: null, to: 'proposed', actor: expect.any(String) })]);
  });

  it('refuses to validate a proposal that was never staged, naming its status (409)', async () => {
    const refused = await sut.http().post(`/v1/proposals/${proposal.id}/validate`).expect(409);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.body.errors).toEqual([{ field: 'status', message: 'is proposed' }]);
  });

  it('stages the proposal on a sampled copy of the target, keeping the measured plans, drops the copy, and validates it on those measurements', async () => {
    const staged = await sut.http().post(`/v1/proposals/${proposal.id}/stage`).expect(200);
    const staging = staged.body.staging as { database: string; tables: { table: string; rows: number }[]; validated: boolean; measurement: { timeReduction: number; costReduction: number; statements: { sql: string; usesCandidate?: boolean }[] } };
    expect(staged.body.status).toBe('staged');
    expect(staged.body.reason).toMatch(/^measured on a staging copy \(public\.orders: \d+ of ~200000 rows\): time -\d+ %, planner cost -\d+ %/);
    expect(staging.tables).toEqual([expect.objectContaining({ table: 'public.orders' })]);
    expect(staging.tables[0]?.rows).toBeGreaterThan(40_000);
    expect(staging.tables[0]?.rows).toBeLessThan(60_000);
    expect(staging.measurement.timeReduction).toBeGreaterThanOrEqual(0.5);
    expect(staging.measurement.costReduction).toBeGreaterThanOrEqual(0.5);
    expect(staging.validated).toBe(true);
    const admin = new Client({ connectionString: target.url });
    await admin.connect();
    const left = await admin.query('SELECT datname FROM pg_database WHERE datname = $1', [staging.database]);
    const indexes = await admin.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'orders'`);
    await admin.end();
    expect(left.rows).toEqual([]);
    // The target itself is only read.
    expect(indexes.rows.map((row: { indexname: string }) => row.indexname)).toEqual(['orders_pkey']);

    const validated = await sut.http().post(`/v1/proposals/${proposal.id}/validate`).expect(200);
    expect(validated.body).toMatchObject({ status: 'validated', reason: expect.stringMatching(/^staging measured it: /) });
  }, 120_000);

  it('rejects a proposal with the reason, announces it, and refuses to move it again', async () => {
    const rejected = await sut.http().post(`/v1/proposals/${proposal.id}/reject`).send({ reason: 'orders is being partitioned next week' }).expect(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', reason: 'orders is being partitioned next week' });
    await eventually(async () => expect(sut.published.map((event) => event.data)).toContainEqual(expect.objectContaining({ proposalId: proposal.id, from: 'validated', status: 'rejected' })), 10_000, 50);
    const again = await sut.http().post(`/v1/proposals/${proposal.id}/reject`).send({ reason: 'twice' }).expect(409);
    expect(again.body.errors).toEqual([{ field: 'status', message: 'is rejected' }]);
    expect(((await sut.http().get(`/v1/proposals/${proposal.id}`).expect(200)).body as Proposal).transitions?.map((transition) => transition.to)).toEqual(['proposed', 'staged', 'validated', 'rejected']);
  });

  it('answers problem+json naming the field for a variable that is not set, an unreachable database and a bad body; 404 for an unknown proposal', async () => {
    const unset = await sut.http().post('/v1/proposals/indexes').send(request({ databaseUrlFrom: 'NOT_SET_DB_URL' })).expect(422);
    expect(unset.body.errors).toEqual([{ field: 'databaseUrlFrom', message: expect.stringContaining('NOT_SET_DB_URL is not set') }]);
    const down = await sut.http().post('/v1/proposals/indexes').send(request({ databaseUrlFrom: 'DOWN_DB_URL' })).expect(422);
    expect(down.body.errors).toEqual([{ field: 'databaseUrlFrom', message: expect.stringContaining('unreachable') }]);
    expect(JSON.stringify(down.body)).not.toContain('s3cret-pw');
    const bad = await sut.http().post('/v1/proposals/indexes').send(request({ databaseUrlFrom: 'postgres://x', statements: [{ query: '', calls: -1, meanExecTimeMs: 'slow' }] })).expect(400);
    expect([...new Set((bad.body.errors as { field: string }[]).map((error) => error.field))].sort()).toEqual(['databaseUrlFrom', 'statements[0].calls', 'statements[0].meanExecTimeMs', 'statements[0].query']);
    const unknownTable = await sut.http().post('/v1/proposals/indexes').send(request({ statements: [{ query: 'SELECT * FROM no_such_table WHERE a = 1', calls: 100, meanExecTimeMs: 5 }] })).expect(422);
    expect(unknownTable.body.errors).toEqual([{ field: 'statements', message: expect.stringContaining('nothing to copy') }]);
    const noStatements = await sut.http().post('/v1/proposals/indexes').send(request({ statements: undefined })).expect(422);
    expect(noStatements.body.errors).toEqual([{ field: 'statements', message: expect.stringContaining('pg_stat_statements') }]);
    await sut.http().get('/v1/proposals/6f1c1d7e-0000-4000-8000-000000000000').expect(404);
    expect((await sut.http().get('/v1/proposals/not-a-uuid').expect(400)).body.errors).toEqual([expect.objectContaining({ field: 'id' })]);
    expect((await sut.http().get('/v1/proposals?status=done').expect(400)).body.errors).toEqual([expect.objectContaining({ field: 'status' })]);
  });

  it('pages proposals newest first by numeric seq, each once, across seqs of more digits', async () => {
    // The next seqs cross 999 → 1000, where text order ('999' > '1000') parts from numeric.
    await sut.sql.query(`SELECT setval(pg_get_serial_sequence('staging.proposals', 'seq'), 994)`);
    await sut.sql.query(
      `INSERT INTO staging.proposals (id, kind, stack, environment, component, title, status, reason, target, change, evidence, expected, created_by)
       SELECT gen_random_uuid(), 'index', 'paging', 'production', 'shop-db', 'index ' || g, 'proposed', 'test', '{}', '{}', '{}', '{}', 'test' FROM generate_series(1, 12) AS g`,
    );
    const { rows } = await sut.sql.query<{ id: string; seq: string }>(`SELECT id, seq FROM staging.proposals WHERE stack = 'paging' ORDER BY seq DESC`);
    expect(rows[0]!.seq.length).toBeGreaterThan(rows[11]!.seq.length);

    const seen = await idsPagedThrough(async (after) => (await sut.http().get('/v1/proposals').query({ stack: 'paging', limit: 5, ...(after ? { after } : {}) }).expect(200)).body as ListPage);
    expect(seen).toEqual(rows.map((row) => row.id));
  });
});
