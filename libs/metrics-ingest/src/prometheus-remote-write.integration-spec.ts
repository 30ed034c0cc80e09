import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, TEST_ADMIN_TOKEN } from '@strata/testing';
import { freePort } from '@strata/testing/harness';
import { MetricsTestApp, startMetricsApp, testSettings } from './test-support/metrics-app';

/** The test needs the real binary (Debian package `prometheus`, 2.x; .ci/run installs it): no binary is a failure, never a skip. */
function assertPrometheusInstalled(): void {
  const probe = spawnSync('prometheus', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(`this test runs a real Prometheus: install it with 'apt-get install -y prometheus' (${probe.error?.message ?? probe.stderr})`);
  }
}

describe('a real Prometheus scraping a target, remote-writing to Strata and queried by Strata query sources', () => {
  let harness: MetricsTestApp;
  let target: Server;
  let prometheus: ChildProcess | undefined;
  let workDir: string;
  let prometheusLog = '';
  let targetPort = 0;
  let prometheusUrl = '';

  beforeAll(async () => {
    assertPrometheusInstalled();
    harness = await startMetricsApp(
      'metrics-prometheus',
      testSettings({ collectors: { enabled: true, tickMs: 200, concurrency: 4, requestTimeoutMs: 5_000, maxPointsPerQuery: 10_000, maxStatementsPerScrape: 100 } }),
    );
    await harness.app.listen(0, '127.0.0.1');
    const strataPort = (harness.app.getHttpServer().address() as AddressInfo).port;
    target = createServer((_request, response) => {
      response.setHeader('content-type', 'text/plain; version=0.0.4');
      response.end('# TYPE demo_temperature_celsius gauge\ndemo_temperature_celsius{room="lab"} 21.5\n# TYPE demo_requests_total counter\ndemo_requests_total 42\n');
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    targetPort = (target.address() as AddressInfo).port;
    workDir = mkdtempSync(join(tmpdir(), 'strata-prometheus-'));
    writeFileSync(
      join(workDir, 'prometheus.yml'),
      [
        'global:',
        // The target answers from jest's event loop: with 1 s (timeout = interval) a stall of the
        // loop failed a scrape, and its staleness markers left gaps in what query sources read.
        '  scrape_interval: 2s',
        '  scrape_timeout: 2s',
        'scrape_configs:',
        '  - job_name: demo',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${targetPort}']`,
        '        labels: { stack: promtest, environment: production }',
        'remote_write:',
        `  - url: http://127.0.0.1:${strataPort}/api/v1/write`,
        '    queue_config: { batch_send_deadline: 1s, min_backoff: 100ms, max_backoff: 1s }',
        `    authorization: { credentials: ${TEST_ADMIN_TOKEN} }`,
      ].join('\n'),
    );
    prometheusUrl = `http://127.0.0.1:${await freePort()}`;
    prometheus = spawn(
      'prometheus',
      [`--config.file=${join(workDir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(workDir, 'data')}`, `--web.listen-address=${prometheusUrl.slice('http://'.length)}`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    prometheus.stderr?.on('data', (chunk: Buffer) => {
      prometheusLog = (prometheusLog + chunk.toString()).slice(-4_000);
    });
  }, 30_000);

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus?.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await exited;
    }
    await new Promise((resolve) => target?.close(resolve));
    await harness?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('stores the scraped series with Strata labels, extra labels and values', async () => {
    const rows = await eventually(async () => {
      const { rows: found } = await harness.sql.query(
        `SELECT r.metric, r.component, r.node, r.labels, s.value
         FROM metrics.series r JOIN metrics.samples s ON s.series_id = r.id
         WHERE r.stack = 'promtest' AND r.metric IN ('demo_temperature_celsius', 'demo_requests_total', 'up')
         ORDER BY r.metric, s.time DESC`,
      );
      expect(new Set(found.map((row) => row.metric))).toEqual(new Set(['demo_temperature_celsius', 'demo_requests_total', 'up']));
      return found;
    }, 45_000, 500).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\nprometheus log tail:\n${prometheusLog}`);
    });
    const temperature = rows.find((row) => row.metric === 'demo_temperature_celsius');
    expect(temperature).toEqual({
      metric: 'demo_temperature_celsius',
      component: 'demo',
      node: `127.0.0.1:${targetPort}`,
      value: 21.5,
      labels: expect.objectContaining({ stack: 'promtest', environment: 'production', extra: { room: 'lab', job: 'demo', instance: `127.0.0.1:${targetPort}` } }),
    });
    expect(rows.find((row) => row.metric === 'demo_requests_total')?.value).toBe(42);
    expect(rows.find((row) => row.metric === 'up')?.value).toBe(1);
  }, 60_000);

  it('stores what query sources read back from the same Prometheus, labelled by the mapping, at every step without gaps', async () => {
    const http = () => harness.http();
    const schedule = { baseUrl: prometheusUrl, stepMs: 1_000, intervalMs: 1_000, delayMs: 1_000 };
    // An operator drops __name__: `metric` names the result; the target's labels map as in remote write.
    await http().post('/v1/query-sources').send({ name: 'promquery-doubled', query: 'demo_temperature_celsius * 2', metric: 'demo_temperature_doubled', ...schedule }).expect(201);
    // An aggregation keeps only `job`: stack and environment come from the source's defaults.
    await http()
      .post('/v1/query-sources')
      .send({ name: 'promquery-sum', query: 'sum by (job) (demo_requests_total)', metric: 'demo_requests_sum', defaults: { stack: 'promquery', environment: 'staging' }, ...schedule })
      .expect(201);
    await http().post('/v1/query-sources').send({ name: 'promquery-broken', query: 'sum by (job (demo_requests_total)', ...schedule }).expect(201);

    const stored = await eventually(async () => {
      const { rows: found } = await harness.sql.query(
        `SELECT r.id::text AS series, r.metric, r.labels, s.value, (extract(epoch FROM s.time) * 1000)::bigint::int8 AS t
         FROM metrics.series r JOIN metrics.samples s ON s.series_id = r.id
         WHERE r.metric IN ('demo_temperature_doubled', 'demo_requests_sum') ORDER BY r.metric, s.time`,
      );
      for (const metric of ['demo_temperature_doubled', 'demo_requests_sum']) {
        expect(found.filter((row) => row.metric === metric).length).toBeGreaterThanOrEqual(3);
      }
      return found as Array<{ series: string; metric: string; labels: unknown; value: number; t: string }>;
    }, 45_000, 500).catch(async (error: unknown) => {
      const sources = (await http().get('/v1/query-sources')).body;
      throw new Error(`${(error as Error).message}\nquery sources: ${JSON.stringify(sources)}\nprometheus log tail:\n${prometheusLog}`);
    });

    const doubled = stored.filter((row) => row.metric === 'demo_temperature_doubled');
    const sum = stored.filter((row) => row.metric === 'demo_requests_sum');
    for (const series of [doubled, sum]) {
      expect(new Set(series.map((row) => row.series)).size).toBe(1);
    }
    expect(doubled[0]?.labels).toEqual({
      stack: 'promtest',
      environment: 'production',
      component: 'demo',
      node: `127.0.0.1:${targetPort}`,
      metric: 'demo_temperature_doubled',
      extra: { job: 'demo', room: 'lab', instance: `127.0.0.1:${targetPort}` },
    });
    expect(sum[0]?.labels).toEqual({ stack: 'promquery', environment: 'staging', component: 'demo', metric: 'demo_requests_sum', extra: { job: 'demo' } });
    expect(doubled.every((row) => row.value === 43)).toBe(true);
    expect(sum.every((row) => row.value === 42)).toBe(true);
    for (const series of [doubled, sum]) {
      const first = Number(series[0]?.t);
      expect(first % 1_000).toBe(0);
      expect(series.map((row) => Number(row.t))).toEqual(series.map((_, index) => first + index * 1_000));
    }

    const broken = (await http().get('/v1/query-sources/promquery-broken').expect(200)).body;
    expect(broken.status.lastError).toMatch(/^Prometheus answered 400: bad_data: /);
    expect(broken.cursor).toBeNull();
    const healthy = (await http().get('/v1/query-sources/promquery-sum').expect(200)).body;
    expect(healthy.status).toMatchObject({ lastError: null, consecutiveFailures: 0 });
  }, 60_000);
});
