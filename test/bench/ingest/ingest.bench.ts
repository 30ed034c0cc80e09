/*
 * npm run bench:ingest [-- --json] [-- --samples 200000]
 *
 * One run, one machine, one PostgreSQL: the ceiling is `psql \copy` of N generated rows into a
 * table equivalent to metrics.samples (same columns, day partition, primary key); the service then
 * ingests the same N samples (fresh series) over HTTP JSON batches and over the bus. Reported:
 * service/ceiling throughput ratios and samples per second per core, where cores are the CPU
 * seconds the service process and every PostgreSQL process spent during the run, divided by wall
 * time — so the figure does not depend on how many cores the machine happens to have.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, unlinkSync } from 'node:fs';
import { request as httpRequest, Agent } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { BusModule, InMemoryEventBus, newEvent } from '@strata/messaging';
import { HealthRegistry, ObservabilityModule, createApi, setLogLevel } from '@strata/observability';
import { createTestDatabase } from '@strata/testing';
import { Client } from 'pg';
import { MetricsIngestModule, readMetricsIngestSettings } from '@strata/metrics-ingest';

const args = process.argv.slice(2);
const json = args.includes('--json');
const samplesArg = args.indexOf('--samples');
const TOTAL = samplesArg >= 0 ? Number(args[samplesArg + 1]) : 200_000;
const SAMPLES_PER_SERIES = 1_000;
const BATCHES_PER_REQUEST = 10;
const HTTP_CONCURRENCY = 4;
const SERIES = Math.ceil(TOTAL / SAMPLES_PER_SERIES);

setLogLevel('error');

@Module({})
class BenchRootModule {}

interface Generated {
  seriesIndex: number;
  timestamp: number;
  value: number;
}

function generate(): Generated[] {
  const start = Date.now() - 3_600_000;
  const rows: Generated[] = [];
  for (let series = 0; series < SERIES; series += 1) {
    for (let index = 0; index < SAMPLES_PER_SERIES && rows.length < TOTAL; index += 1) {
      rows.push({ seriesIndex: series, timestamp: start + index * 1_000 + series, value: Math.round(Math.random() * 1e6) / 1e3 });
    }
  }
  return rows;
}

/**
 * CPU seconds of every `postgres` process on this machine (the server runs locally), including
 * backends that already exited: the postmaster reaps them, so their time is in its cutime/cstime.
 */
function postgresCpuSeconds(): number {
  const ticksPerSecond = 100;
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (command !== 'postgres') continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // the process ended between listing and reading
    }
  }
  return ticks / ticksPerSecond;
}

/** This process and its exited children (psql). */
function ownCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
}

interface Measurement {
  samples: number;
  seconds: number;
  cpuSeconds: number;
}

async function measure(work: () => Promise<void>, samples: number): Promise<Measurement> {
  const cpuBefore = ownCpuSeconds() + postgresCpuSeconds();
  const started = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { samples, seconds, cpuSeconds: ownCpuSeconds() + postgresCpuSeconds() - cpuBefore };
}

function post(agent: Agent, port: number, path: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString()}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function seriesLabels(run: string, seriesIndex: number) {
  return { stack: `bench-${run}`, environment: 'bench', component: 'api', node: `node-${seriesIndex}`, metric: 'bench_latency_seconds' };
}

async function main(): Promise<void> {
  const database = await createTestDatabase('bench-ingest');
  const sql = new Client({ connectionString: database.url });
  await sql.connect();
  const bus = new InMemoryEventBus(2);
  const settings = readMetricsIngestSettings({});
  const app = await createApi(
    {
      module: BenchRootModule,
      imports: [
        ObservabilityModule.forRoot(new HealthRegistry()),
        BusModule.forRoot(bus),
        MetricsIngestModule.register({ database: { url: database.url, poolSize: 10 }, outbox: { pollIntervalMs: 200, retentionHours: 1 } }, settings),
      ],
    },
    { title: 'bench', description: 'bench', version: '1' },
  );
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const rows = generate();

  try {
    // The ceiling: psql \copy into an equivalent table.
    await sql.query(`CREATE SCHEMA bench`);
    await sql.query(`CREATE TABLE bench.samples (series_id bigint NOT NULL, time timestamptz NOT NULL, value double precision NOT NULL, PRIMARY KEY (series_id, time)) PARTITION BY RANGE (time)`);
    const dayStart = Math.floor(rows[0]!.timestamp / 86_400_000) * 86_400_000;
    await sql.query(`CREATE TABLE bench.samples_p PARTITION OF bench.samples FOR VALUES FROM ('${new Date(dayStart - 86_400_000).toISOString()}') TO ('${new Date(dayStart + 2 * 86_400_000).toISOString()}')`);
    const file = join(tmpdir(), `strata-bench-ingest-${process.pid}.tsv`);
    writeFileSync(file, rows.map((row) => `${row.seriesIndex + 1}\t${new Date(row.timestamp).toISOString()}\t${row.value}\n`).join(''));
    const ceiling = await measure(async () => {
      execFileSync('psql', [database.url, '-v', 'ON_ERROR_STOP=1', '-q', '-c', `\\copy bench.samples (series_id, time, value) FROM '${file}'`], { stdio: ['ignore', 'ignore', 'inherit'] });
    }, rows.length);
    unlinkSync(file);

    // HTTP: JSON batches of one series each, several per request, a few requests in flight.
    const bySeries = new Map<number, Array<{ timestamp: number; value: number }>>();
    for (const row of rows) {
      const list = bySeries.get(row.seriesIndex) ?? [];
      list.push({ timestamp: row.timestamp, value: row.value });
      bySeries.set(row.seriesIndex, list);
    }
    const bodies: string[] = [];
    const seriesIndexes = [...bySeries.keys()];
    for (let offset = 0; offset < seriesIndexes.length; offset += BATCHES_PER_REQUEST) {
      const batches = seriesIndexes.slice(offset, offset + BATCHES_PER_REQUEST).map((index) => ({ series: seriesLabels('http', index), samples: bySeries.get(index)! }));
      bodies.push(JSON.stringify({ batches }));
    }
    const agent = new Agent({ keepAlive: true, maxSockets: HTTP_CONCURRENCY });
    const overHttp = await measure(async () => {
      let nextBody = 0;
      await Promise.all(
        Array.from({ length: HTTP_CONCURRENCY }, async () => {
          while (nextBody < bodies.length) {
            await post(agent, port, '/v1/samples', bodies[nextBody++]!);
          }
        }),
      );
    }, rows.length);
    agent.destroy();

    // Bus: one kpi.samples event per series flush (1 000 samples each), as the gateway sends them.
    const messages = seriesIndexes.map((index) => {
      const event = newEvent({ type: 'io.strata.kpi.samples.v1', service: 'bench', subject: `bench-${index}`, data: { series: seriesLabels('bus', index), samples: bySeries.get(index)! } });
      return { topic: 'kpi.samples' as const, key: `bench-${index}`, value: JSON.stringify(event) };
    });
    const overBus = await measure(async () => {
      await bus.publish(messages);
      for (;;) {
        const { rows: counted } = await sql.query(`SELECT count(*)::int AS count FROM metrics.samples s JOIN metrics.series r ON r.id = s.series_id WHERE r.stack = 'bench-bus'`);
        if (counted[0].count >= rows.length) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }, rows.length);

    const rate = (measurement: Measurement) => measurement.samples / measurement.seconds;
    const perCore = (measurement: Measurement) => measurement.samples / Math.max(measurement.cpuSeconds, 1e-9);
    const lines = [
      `samples: ${rows.length} (${SERIES} series × ${SAMPLES_PER_SERIES})`,
      `ceiling  psql \\copy : ${rate(ceiling).toFixed(0)} rows/s     (${ceiling.seconds.toFixed(2)} s, ${perCore(ceiling).toFixed(0)} rows/s per core)`,
      `service  HTTP JSON  : ${rate(overHttp).toFixed(0)} samples/s  (${overHttp.seconds.toFixed(2)} s, ${perCore(overHttp).toFixed(0)} samples/s per core) ratio ${(rate(overHttp) / rate(ceiling)).toFixed(3)}`,
      `service  bus        : ${rate(overBus).toFixed(0)} samples/s  (${overBus.seconds.toFixed(2)} s, ${perCore(overBus).toFixed(0)} samples/s per core) ratio ${(rate(overBus) / rate(ceiling)).toFixed(3)}`,
      '(the service also maintains 10 s and 1 min rollups and drops duplicates; the ceiling only appends)',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (json) {
      process.stdout.write(`${JSON.stringify({ ratio: Number((rate(overHttp) / rate(ceiling)).toFixed(4)), samplesPerSecPerCore: Math.round(perCore(overHttp)) })}\n`);
    }
  } finally {
    await sql.end();
    await app.close();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:ingest failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
