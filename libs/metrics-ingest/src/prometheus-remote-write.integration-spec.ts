import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Server, createServer } from 'node:http';
import { AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@strata/testing';
import { MetricsTestApp, startMetricsApp } from './test-support/metrics-app';

/** The test needs the real binary (Debian package `prometheus`, 2.x; .ci/run installs it): no binary is a failure, never a skip. */
function assertPrometheusInstalled(): void {
  const probe = spawnSync('prometheus', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(`this test runs a real Prometheus: install it with 'apt-get install -y prometheus' (${probe.error?.message ?? probe.stderr})`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

describe('a real Prometheus scraping a target and remote-writing to Strata', () => {
  let harness: MetricsTestApp;
  let target: Server;
  let prometheus: ChildProcess | undefined;
  let workDir: string;
  let prometheusLog = '';
  let targetPort = 0;

  beforeAll(async () => {
    assertPrometheusInstalled();
    harness = await startMetricsApp('metrics-prometheus');
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
        '  scrape_interval: 1s',
        'scrape_configs:',
        '  - job_name: demo',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${targetPort}']`,
        '        labels: { stack: promtest, environment: production }',
        'remote_write:',
        `  - url: http://127.0.0.1:${strataPort}/api/v1/write`,
        '    queue_config: { batch_send_deadline: 1s, min_backoff: 100ms, max_backoff: 1s }',
      ].join('\n'),
    );
    prometheus = spawn(
      'prometheus',
      [`--config.file=${join(workDir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(workDir, 'data')}`, `--web.listen-address=127.0.0.1:${await freePort()}`],
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
});
