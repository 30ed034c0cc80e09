import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { eventually } from '@strata/testing';
import { MetricsTestApp, startMetricsApp, testSettings } from './test-support/metrics-app';

type FakeMode = 'ok' | 'bad-query' | 'hang' | 'not-json';

/**
 * A stand-in Prometheus for what a real one cannot be made to do on demand (hang, refuse, answer
 * garbage); the real one is exercised in prometheus-remote-write.integration-spec.ts. It answers
 * every evaluation timestamp t with the value t (seconds), so stored values prove which
 * timestamps were asked for.
 */
class FakePrometheus {
  mode: FakeMode = 'ok';
  readonly ranges: Array<{ start: number; end: number; step: number; query: string }> = [];
  lastRequestAt = 0;
  private readonly hanging: ServerResponse[] = [];
  readonly server: Server = createServer((req, res) => void this.answer(req, res));

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.lastRequestAt = Date.now();
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const form = new URLSearchParams(body);
    const [start, end, step] = ['start', 'end', 'step'].map((name) => Math.round(Number(form.get(name)) * 1000)) as [number, number, number];
    res.setHeader('content-type', 'application/json');
    if (this.mode === 'hang') {
      this.hanging.push(res);
      return;
    }
    if (this.mode === 'not-json') {
      res.end('<html>proxy error</html>');
      return;
    }
    if (this.mode === 'bad-query') {
      res.statusCode = 400;
      res.end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: '1:5: parse error: unexpected <by>' }));
      return;
    }
    this.ranges.push({ start, end, step, query: form.get('query') ?? '' });
    const values: Array<[number, string]> = [];
    for (let t = start; t <= end; t += step) values.push([t / 1000, String(t / 1000)]);
    res.end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: { job: 'api', instance: 'n1:80' }, values }, { metric: { job: 'lost' }, values }] } }));
  }

  close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('collectors: Prometheus query sources, PostgreSQL targets and heartbeats', () => {
  let harness: MetricsTestApp;
  const prometheus = new FakePrometheus();
  let prometheusUrl = '';

  beforeAll(async () => {
    await new Promise<void>((resolve) => prometheus.server.listen(0, '127.0.0.1', resolve));
    prometheusUrl = `http://127.0.0.1:${(prometheus.server.address() as AddressInfo).port}`;
    harness = await startMetricsApp(
      'metrics-collectors',
      testSettings({ collectors: { enabled: true, tickMs: 100, concurrency: 4, requestTimeoutMs: 2_000, maxPointsPerQuery: 5, maxStatementsPerScrape: 100 } }),
    );
  });

  afterAll(async () => {
    await harness?.close();
    await prometheus.close();
  });

  const http = () => harness.http();
  const source = (name: string) => http().get(`/v1/query-sources/${name}`).expect(200);
  const storedTimestamps = async (metric: string, component: string): Promise<Array<{ t: number; value: number }>> => {
    const { rows } = await harness.sql.query(
      `SELECT (extract(epoch FROM s.time) * 1000)::bigint::int8 AS t, s.value FROM metrics.samples s JOIN metrics.series r ON r.id = s.series_id
       WHERE r.metric = $1 AND r.component = $2 ORDER BY s.time`,
      [metric, component],
    );
    return rows.map((row: { t: string; value: number }) => ({ t: Number(row.t), value: row.value }));
  };

  it('queries on schedule from its cursor: catches up in bounded requests, records errors and timeouts, resumes without gap or overlap', async () => {
    const created = await http()
      .post('/v1/query-sources')
      .send({ name: 'fake-values', baseUrl: prometheusUrl, query: 'sum by (job, instance) (x)', metric: 'fake_value', stepMs: 1_000, intervalMs: 1_000, delayMs: 0, backfillMs: 12_000, defaults: { stack: 'collect', environment: 'production' } })
      .expect(201);
    expect(created.body).toMatchObject({ name: 'fake-values', metric: 'fake_value', delayMs: 0, cursor: null, status: { consecutiveFailures: 0, lastError: null } });

    // 13 points of backfill at 5 points per request: three requests back to back, then one per interval.
    await eventually(async () => expect((await storedTimestamps('fake_value', 'api')).length).toBeGreaterThanOrEqual(15), 15_000, 100);
    const caughtUp = (await source('fake-values')).body;
    expect(caughtUp.status.lastOutcome).toMatchObject({ unmappedSeries: 0 });
    expect(caughtUp.cursor).not.toBeNull();

    prometheus.mode = 'bad-query';
    const refused = await eventually(async () => {
      const body = (await source('fake-values')).body;
      expect(body.status.lastError).toBe('Prometheus answered 400: bad_data: 1:5: parse error: unexpected <by>');
      return body;
    }, 10_000, 100);
    expect(refused.status.consecutiveFailures).toBeGreaterThanOrEqual(1);

    prometheus.mode = 'hang';
    await eventually(async () => expect((await source('fake-values')).body.status.lastError).toMatch(/no answer within 2000 ms$/), 10_000, 100);
    prometheus.mode = 'not-json';
    await eventually(async () => expect((await source('fake-values')).body.status.lastError).toMatch(/^Prometheus answered 200 with a body that is not JSON/), 10_000, 100);
    const failedAt = Date.now();

    prometheus.mode = 'ok';
    const recovered = await eventually(async () => {
      const body = (await source('fake-values')).body;
      expect(body.status.consecutiveFailures).toBe(0);
      expect(Date.parse(body.cursor)).toBeGreaterThan(failedAt);
      return body;
    }, 10_000, 100);
    expect(recovered.status.lastError).toMatch(/not JSON/); // the last error stays visible after recovery

    // Stop it, let a run in flight finish (no request for 1.5 s, 15 ticks, and the last range
    // asked for stored), then: every request began one step after the previous one ended, and the
    // store holds each second once, up to the last one asked for.
    await http().delete('/v1/query-sources/fake-values').expect(204);
    await eventually(
      async () => {
        expect(Date.now() - prometheus.lastRequestAt).toBeGreaterThan(1_500);
        expect((await storedTimestamps('fake_value', 'api')).at(-1)?.t).toBe(prometheus.ranges.at(-1)?.end);
      },
      10_000,
      100,
    );
    for (const [index, range] of prometheus.ranges.entries()) {
      expect(range.end - range.start).toBeLessThanOrEqual(4_000);
      if (index > 0) expect(range.start).toBe((prometheus.ranges[index - 1]?.end ?? 0) + 1_000);
    }
    const stored = await storedTimestamps('fake_value', 'api');
    const first = stored[0]?.t ?? 0;
    expect(stored).toEqual(stored.map((_, index) => ({ t: first + index * 1_000, value: (first + index * 1_000) / 1_000 })));
    expect(stored.at(-1)?.t).toBe(prometheus.ranges.at(-1)?.end);

    const { rows } = await harness.sql.query(`SELECT DISTINCT labels FROM metrics.series WHERE metric = 'fake_value' ORDER BY labels`);
    expect(rows.map((row: { labels: unknown }) => row.labels)).toEqual(
      expect.arrayContaining([
        { stack: 'collect', environment: 'production', component: 'api', node: 'n1:80', metric: 'fake_value', extra: { job: 'api', instance: 'n1:80' } },
        { stack: 'collect', environment: 'production', component: 'lost', metric: 'fake_value', extra: { job: 'lost' } },
      ]),
    );
  }, 60_000);

  it('shows a series it cannot map on the source and stores the others', async () => {
    await http()
      .post('/v1/query-sources')
      .send({ name: 'no-environment', baseUrl: prometheusUrl, query: 'x', metric: 'fake_unlabelled', stepMs: 1_000, intervalMs: 1_000, delayMs: 0, defaults: { stack: 'collect' } })
      .expect(201);
    const body = await eventually(async () => {
      const found = (await source('no-environment')).body;
      expect(found.status.lastOutcome).toMatchObject({ unmappedSeries: 2, series: 0 });
      return found;
    }, 10_000, 100);
    expect(body.status.lastOutcome.unmappedReason).toBe("result[0]: no 'environment' label and no default for it");
    await http().delete('/v1/query-sources/no-environment').expect(204);
  });

  it('validates, lists by pages and deletes query sources', async () => {
    const valid = { baseUrl: 'http://127.0.0.1:1', query: 'up', stepMs: 60_000, intervalMs: 3_600_000, delayMs: 0 };
    for (const name of ['page-a', 'page-b', 'page-c']) await http().post('/v1/query-sources').send({ name, ...valid }).expect(201);
    await http().post('/v1/query-sources').send({ name: 'page-a', ...valid }).expect(409);
    const refused = await http().post('/v1/query-sources').send({ name: 'Bad Name', ...valid, baseUrl: 'ftp://x', stepMs: 10 }).expect(400);
    expect(JSON.stringify(refused.body)).toMatch(/baseUrl must be an http\(s\) URL/);
    expect(JSON.stringify(refused.body)).toMatch(/stepMs/);
    const page = await http().get('/v1/query-sources?limit=2&after=page').expect(200);
    expect(page.body.items.map((item: { name: string }) => item.name)).toEqual(['page-a', 'page-b']);
    expect(page.body.nextCursor).toBe('page-b');
    const rest = await http().get(`/v1/query-sources?limit=2&after=${page.body.nextCursor}`).expect(200);
    expect(rest.body.items.map((item: { name: string }) => item.name)).toEqual(['page-c']);
    // Nothing listens on port 1: the connection error is recorded, nothing crashes.
    await eventually(async () => expect((await source('page-a')).body.status.lastError).toMatch(/^http:\/\/127\.0\.0\.1:1\/api\/v1\/query_range: .*ECONNREFUSED/), 10_000, 100);
    await http().delete('/v1/query-sources/page-a').expect(204);
    await http().delete('/v1/query-sources/page-a').expect(404);
    await http().get('/v1/query-sources/page-a').expect(404);
  });

  it('registers PostgreSQL targets by URL (password never shown) or environment variable, and records a missing variable', async () => {
    const both = await http()
      .post('/v1/postgres-targets')
      .send({ name: 'both', url: 'postgres://a@b/c', urlFrom: 'X', stack: 's', environment: 'e', component: 'db' })
      .expect(422);
    expect(both.body.errors).toEqual([{ field: 'url', message: expect.stringContaining('exactly one of url and urlFrom') }]);
    await http().post('/v1/postgres-targets').send({ name: 'neither', stack: 's', environment: 'e', component: 'db' }).expect(422);
    const byUrl = await http()
      .post('/v1/postgres-targets')
      .send({ name: 'by-url', url: 'postgres://monitor:s3cret@127.0.0.1:1/shop', stack: 's', environment: 'e', component: 'db', intervalMs: 3_600_000 })
      .expect(201);
    expect(byUrl.body).toMatchObject({ url: 'postgres://monitor:***@127.0.0.1:1/shop', urlFrom: null, statementsTracked: 0 });
    expect(JSON.stringify((await http().get('/v1/postgres-targets').expect(200)).body)).not.toContain('s3cret');
    await http().post('/v1/postgres-targets').send({ name: 'by-env', urlFrom: 'STRATA_TEST_UNSET_DB_URL', stack: 's', environment: 'e', component: 'db' }).expect(201);
    await eventually(async () => {
      const body = (await http().get('/v1/postgres-targets/by-env').expect(200)).body;
      expect(body.status).toMatchObject({ lastError: 'environment variable STRATA_TEST_UNSET_DB_URL is not set in metrics-ingest', consecutiveFailures: 1 });
    }, 10_000, 100);
    await eventually(async () => expect((await http().get('/v1/postgres-targets/by-url').expect(200)).body.status.lastError).toMatch(/ECONNREFUSED|connect/), 10_000, 100);
    // A variable that holds no URL (PATH) never reaches the driver, whose error would show what it holds.
    await http().post('/v1/postgres-targets').send({ name: 'by-path', urlFrom: 'PATH', stack: 's', environment: 'e', component: 'db' }).expect(201);
    await eventually(async () => {
      const body = (await http().get('/v1/postgres-targets/by-path').expect(200)).body;
      expect(body.status).toMatchObject({ lastError: 'environment variable PATH does not hold a postgres:// or postgresql:// URL', consecutiveFailures: 1 });
    }, 10_000, 100);
    await http().delete('/v1/postgres-targets/by-path').expect(204);
    await http().delete('/v1/postgres-targets/by-env').expect(204);
    await http().delete('/v1/postgres-targets/by-url').expect(204);
    await http().get('/v1/postgres-targets/by-url').expect(404);
  });

  it('turns heartbeat resource figures into node series, and refuses a figure that is not a number', async () => {
    const timestamp = Date.now() - 1_000;
    const stored = await http()
      .post('/v1/heartbeats')
      .send({ stack: 'collect', environment: 'production', location: 'production', component: 'collect-api', address: '10.0.0.7:8080', version: '2.4.0', timestamp, resources: { cpu: 0.42, memoryBytes: 512_000_000 } })
      .expect(200);
    expect(stored.body).toMatchObject({ series: 2, samplesStored: 2 });
    const { rows } = await harness.sql.query(
      `SELECT r.labels, s.value, (extract(epoch FROM s.time) * 1000)::bigint::int8 AS t FROM metrics.series r JOIN metrics.samples s ON s.series_id = r.id WHERE r.stack = 'collect' AND r.metric LIKE 'node_%' ORDER BY r.metric`,
    );
    expect(rows).toEqual([
      { labels: { stack: 'collect', environment: 'production', component: 'collect-api', node: '10.0.0.7:8080', metric: 'node_cpu', extra: { location: 'production' } }, value: 0.42, t: String(timestamp) },
      { labels: { stack: 'collect', environment: 'production', component: 'collect-api', node: '10.0.0.7:8080', metric: 'node_memory_bytes', extra: { location: 'production' } }, value: 512_000_000, t: String(timestamp) },
    ]);
    const refused = await http()
      .post('/v1/heartbeats')
      .send({ stack: 'collect', environment: 'production', component: 'collect-api', address: '10.0.0.7:8080', resources: { cpu: 'high', 'bad name': 1 } })
      .expect(422);
    expect(JSON.stringify(refused.body)).toMatch(/resources\.cpu must be a finite number within ±1e300/);
    expect(JSON.stringify(refused.body)).toMatch(/resources\.bad name must be a name/);
    await http().post('/v1/heartbeats').send({ stack: 'collect', environment: 'production', component: 'collect-api', address: 'no-port', resources: { cpu: 1 } }).expect(400);
  });
});
