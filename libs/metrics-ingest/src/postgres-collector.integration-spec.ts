import { Client } from 'pg';
import { PrivatePostgres, startPostgresWithStatementStats } from '@strata/testing/harness';
import { MetricsTestApp, startMetricsApp, testSettings } from './test-support/metrics-app';
import { PostgresTargetsRepository } from './repositories/postgres-targets.repository';
import { CollectorSchedulerService } from './services/collector-scheduler.service';

const URL_VARIABLE = 'STRATA_TEST_SHOP_DATABASE_URL';

describe('pg_stat_statements of a registered database, against a real PostgreSQL with the extension', () => {
  let postgres: PrivatePostgres;
  let shop: Client;
  let harness: MetricsTestApp;
  let scheduler: CollectorSchedulerService;

  beforeAll(async () => {
    ({ postgres, client: shop } = await startPostgresWithStatementStats('shop'));
    await shop.query('CREATE TABLE orders (id serial PRIMARY KEY, amount integer NOT NULL)');
    process.env[URL_VARIABLE] = postgres.urlOf('shop');
    // The timer is off: the test scrapes exactly when it means to.
    harness = await startMetricsApp(
      'metrics-pg-statements',
      testSettings({ collectors: { enabled: false, tickMs: 1_000, concurrency: 4, requestTimeoutMs: 5_000, maxPointsPerQuery: 10_000, maxStatementsPerScrape: 100 } }),
    );
    scheduler = harness.app.get(CollectorSchedulerService);
  }, 60_000);

  afterAll(async () => {
    delete process.env[URL_VARIABLE];
    await harness?.close();
    await shop?.end();
    await postgres?.stop();
  });

  const http = () => harness.http();
  const fingerprint = async (prefix: string): Promise<string> => {
    const { rows } = await shop.query(`SELECT queryid::text AS id FROM pg_stat_statements WHERE query LIKE $1 || '%'`, [prefix]);
    expect(rows).toHaveLength(1);
    return rows[0].id;
  };
  /** Values of each statement series at the latest scrape, by metric. */
  const latest = async (fingerprintId: string): Promise<Record<string, number>> => {
    const { rows } = await harness.sql.query(
      `SELECT DISTINCT ON (r.metric) r.metric, s.value FROM metrics.series r JOIN metrics.samples s ON s.series_id = r.id
       WHERE r.labels->'extra'->>'fingerprint' = $1 ORDER BY r.metric, s.time DESC`,
      [fingerprintId],
    );
    return Object.fromEntries(rows.map((row: { metric: string; value: number }) => [row.metric, row.value]));
  };
  /** A scrape is due one interval (1 s) after the last; run it as soon as it is. */
  const scrape = async (): Promise<void> => {
    for (let attempt = 0; attempt < 50; attempt += 1) {
      if ((await scheduler.runDue()).targets === 1) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the target never became due');
  };

  it('stores what each statement did between two scrapes, and reads a reset as counters restarted', async () => {
    await http()
      .post('/v1/postgres-targets')
      .send({ name: 'shop-primary', urlFrom: URL_VARIABLE, stack: 'shop', environment: 'production', component: 'shop-db', intervalMs: 1_000 })
      .expect(201);
    await shop.query('INSERT INTO orders (amount) VALUES ($1)', [1]);
    await shop.query('SELECT amount FROM orders WHERE id = $1', [1]);

    await scrape();
    const baseline = (await http().get('/v1/postgres-targets/shop-primary').expect(200)).body;
    expect(baseline.status).toMatchObject({ lastError: null, consecutiveFailures: 0, lastOutcome: { baseline: true, samplesStored: 0 } });
    expect(baseline.statementsTracked).toBeGreaterThanOrEqual(2);

    for (let index = 0; index < 3; index += 1) await shop.query('INSERT INTO orders (amount) VALUES ($1)', [index + 10]);
    for (let index = 0; index < 7; index += 1) await shop.query('SELECT amount FROM orders WHERE id = $1', [(index % 4) + 1]);
    await scrape();

    const insert = await fingerprint('INSERT INTO orders');
    const select = await fingerprint('SELECT amount FROM orders');
    const inserted = await latest(insert);
    const selected = await latest(select);
    expect(inserted).toMatchObject({ db_query_calls: 3, db_query_rows: 3 });
    expect(selected).toMatchObject({ db_query_calls: 7, db_query_rows: 7 });
    expect(selected['db_query_time_ms_total']).toBeGreaterThan(0);
    expect(selected['db_query_mean_ms']).toBeCloseTo((selected['db_query_time_ms_total'] ?? 0) / 7, 9);

    const { rows: labelled } = await harness.sql.query(`SELECT labels FROM metrics.series WHERE metric = 'db_query_calls' AND labels->'extra'->>'fingerprint' = $1`, [select]);
    expect(labelled).toEqual([
      { labels: { stack: 'shop', environment: 'production', component: 'shop-db', metric: 'db_query_calls', extra: { fingerprint: select, database: 'shop', target: 'shop-primary' } } },
    ]);

    await shop.query('SELECT pg_stat_statements_reset()');
    for (let index = 0; index < 2; index += 1) await shop.query('SELECT amount FROM orders WHERE id = $1', [1]);
    await scrape();
    expect(await latest(select)).toMatchObject({ db_query_calls: 2, db_query_rows: 2 });
    expect((await http().get('/v1/postgres-targets/shop-primary').expect(200)).body.status.lastOutcome).toMatchObject({ baseline: false, reset: true });
    // The INSERT did not run since the reset: no new sample for it.
    expect(await latest(insert)).toMatchObject({ db_query_calls: 3 });
  }, 60_000);

  it('records on the target that its database lacks the extension, with how to fix it', async () => {
    await shop.query('CREATE DATABASE plain');
    await http()
      .post('/v1/postgres-targets')
      .send({ name: 'plain', url: postgres.urlOf('plain'), stack: 'shop', environment: 'production', component: 'plain-db', intervalMs: 60_000 })
      .expect(201);
    await scheduler.runDue();
    const body = (await http().get('/v1/postgres-targets/plain').expect(200)).body;
    expect(body.status.lastError).toMatch(/pg_stat_statements.*does not exist.*shared_preload_libraries = 'pg_stat_statements' and CREATE EXTENSION pg_stat_statements/);
    expect(body.status.consecutiveFailures).toBe(1);
  });

  it('leases a due target to one replica at a time, and to another once a lease expires', async () => {
    await http()
      .post('/v1/postgres-targets')
      .send({ name: 'leased', url: postgres.urlOf('shop'), stack: 'shop', environment: 'production', component: 'shop-db', intervalMs: 60_000 })
      .expect(201);
    const repository = harness.app.get(PostgresTargetsRepository);
    const claimed = async (leaseMs: number) => (await repository.claimDue(100, leaseMs)).filter((target) => target.name === 'leased').length;
    // Two replicas asking at the same moment: one gets it.
    expect(await Promise.all([claimed(60_000), claimed(60_000)]).then(([a, b]) => a + b)).toBe(1);
    expect(await claimed(60_000)).toBe(0);
    await harness.sql.query(`UPDATE metrics.postgres_targets SET lease_until = now() - interval '1 second' WHERE name = 'leased'`);
    expect(await claimed(60_000)).toBe(1);
  });
});
