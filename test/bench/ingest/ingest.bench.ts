/*
 * npm run bench:ingest [-- --json] [-- --samples 200000] [-- --rounds 5] [-- --warmup 1] [-- --profile <dir>]
 * (--profile: a V8 CPU profile of this process per round's HTTP and bus measurements)
 *
 * One run, one machine, one PostgreSQL (see README.md beside this file). Each round: the ceiling
 * is `psql \copy` of N generated rows into a table equivalent to metrics.samples (same columns,
 * primary key, range partitioning); the service then ingests the same N samples (fresh series)
 * over HTTP JSON batches and over the bus. Reported per round and as the median over rounds: the
 * service/ceiling throughput ratio and samples per second per core, where cores are the CPU
 * seconds spent during the measurement by the client side (psql, or this process: the service
 * plus its HTTP/bus client) and by the PostgreSQL backends serving it.
 */
import 'reflect-metadata';
import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest, Agent } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { Module } from '@nestjs/common';
import { BusModule, KafkaEventBus, OutgoingMessage, newEvent } from '@strata/messaging';
import { HealthRegistry, ObservabilityModule, configuredTokens, createApi, setLogLevel } from '@strata/observability';
import { TEST_ADMIN_TOKEN, createTestDatabase, requireKafkaBrokers, uniqueTopicPrefix } from '@strata/testing';
import { Client } from 'pg';
import { MetricsIngestModule, readMetricsIngestSettings } from '@strata/metrics-ingest';
import { BusProducer, Measurement, measureCeiling, measureService } from './bench-measurements';

const args = process.argv.slice(2);
const json = args.includes('--json');
const option = (name: string, fallback: string): string => {
  const index = args.indexOf(name);
  return index >= 0 ? (args[index + 1] ?? fallback) : fallback;
};
const TOTAL = Number(option('--samples', '200000'));
const ROUNDS = Number(option('--rounds', '5'));
/** Rounds run first and left out of the figures: JIT, plan caches and the pool warm up in them. */
const WARMUP_ROUNDS = Number(option('--warmup', '1'));
const PROFILE_DIR = option('--profile', '');
const SAMPLES_PER_SERIES = 1_000;
const BATCHES_PER_REQUEST = 10;
const HTTP_CONCURRENCY = 4;
const SERIES = Math.ceil(TOTAL / SAMPLES_PER_SERIES);
const BUS_GROUP = 'strata-metrics-ingest.kpi-samples';
/** Partitions of the run's topics: the default of KAFKA_TOPIC_PARTITIONS, as a deployment has them. */
const BUS_PARTITIONS = 3;

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

function post(agent: Agent, port: number, path: string, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${TEST_ADMIN_TOKEN}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString()}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function seriesLabels(stack: string, seriesIndex: number) {
  return { stack, environment: 'bench', component: 'api', node: `node-${seriesIndex}`, metric: 'bench_latency_seconds' };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Every sample stored once and counted once in each rollup: a fast but wrong service must not pass. */
async function assertStored(sql: Client, stack: string, expected: number): Promise<void> {
  const { rows } = await sql.query<{ samples: number; r10: number; r60: number }>(
    `SELECT (SELECT count(*) FROM metrics.samples s JOIN metrics.series r ON r.id = s.series_id WHERE r.stack = $1)::int AS samples,
            (SELECT coalesce(sum(count), 0) FROM metrics.rollups_10s s JOIN metrics.series r ON r.id = s.series_id WHERE r.stack = $1)::int AS r10,
            (SELECT coalesce(sum(count), 0) FROM metrics.rollups_1m s JOIN metrics.series r ON r.id = s.series_id WHERE r.stack = $1)::int AS r60`,
    [stack],
  );
  const counted = rows[0]!;
  if (counted.samples !== expected || counted.r10 !== expected || counted.r60 !== expected) {
    throw new Error(`${stack}: expected ${expected} samples, found ${JSON.stringify(counted)}`);
  }
}

type PathName = 'ceiling' | 'http' | 'bus';

type Round = Record<PathName, Measurement> & { order: readonly PathName[] };

async function main(): Promise<void> {
  const database = await createTestDatabase('bench-ingest');
  const sql = new Client({ connectionString: database.url });
  await sql.connect();
  // Topics of the run's own: earlier runs' flushes on a shared broker are not replayed into this one.
  const brokers = requireKafkaBrokers();
  const topicPrefix = uniqueTopicPrefix('bench-ingest');
  const bus = new KafkaEventBus({ brokers, clientId: 'bench-ingest', topicPrefix, partitions: BUS_PARTITIONS, replicationFactor: 1 });
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
    // Through the bearer-token guard, as a production writer would be.
    { title: 'bench', description: 'bench', version: '1', auth: { configured: configuredTokens({ adminToken: TEST_ADMIN_TOKEN }) } },
  );
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const producer = new BusProducer(brokers, topicPrefix, BUS_PARTITIONS);
  await producer.answer('ready');
  const rows = generate();
  const file = join(tmpdir(), `strata-bench-ingest-${process.pid}.tsv`);
  const messagesFile = join(tmpdir(), `strata-bench-ingest-${process.pid}.jsonl`);
  const profiler = PROFILE_DIR ? new Session() : null;
  const rounds: Round[] = [];

  try {
    // The ceiling's table: metrics.samples' shape (columns, primary key, range partitioning) and the same rows.
    await sql.query(`CREATE SCHEMA bench`);
    await sql.query(`CREATE TABLE bench.samples (series_id bigint NOT NULL, time timestamptz NOT NULL, value double precision NOT NULL, PRIMARY KEY (series_id, time)) PARTITION BY RANGE (time)`);
    const dayStart = Math.floor(rows[0]!.timestamp / 86_400_000) * 86_400_000;
    await sql.query(`CREATE TABLE bench.samples_p PARTITION OF bench.samples FOR VALUES FROM ('${new Date(dayStart - 86_400_000).toISOString()}') TO ('${new Date(dayStart + 2 * 86_400_000).toISOString()}')`);
    writeFileSync(file, rows.map((row) => `${row.seriesIndex + 1}\t${new Date(row.timestamp).toISOString()}\t${row.value}\n`).join(''));

    const bySeries = new Map<number, Array<{ timestamp: number; value: number }>>();
    for (const row of rows) {
      const list = bySeries.get(row.seriesIndex) ?? [];
      list.push({ timestamp: row.timestamp, value: row.value });
      bySeries.set(row.seriesIndex, list);
    }
    const seriesIndexes = [...bySeries.keys()];
    if (profiler) {
      mkdirSync(PROFILE_DIR, { recursive: true });
      profiler.connect();
      await profiler.post('Profiler.enable');
    }

    const profiled = async (name: string, round: number, work: () => Promise<Measurement>): Promise<Measurement> => {
      await profiler?.post('Profiler.start');
      const measurement = await work();
      if (profiler) {
        const { profile } = await profiler.post('Profiler.stop');
        writeFileSync(join(PROFILE_DIR, `ingest-bench-${name}-${process.pid}-round${round}.cpuprofile`), JSON.stringify(profile));
      }
      return measurement;
    };

    // HTTP: JSON batches of one series each, several per request, a few requests in flight.
    const measureHttp = async (round: number): Promise<Measurement> => {
      const httpStack = `bench-http-${round}`;
      // Encoded ahead: the client shares this process with the service, and a real client would not.
      const bodies: Buffer[] = [];
      for (let offset = 0; offset < seriesIndexes.length; offset += BATCHES_PER_REQUEST) {
        const batches = seriesIndexes.slice(offset, offset + BATCHES_PER_REQUEST).map((index) => ({ series: seriesLabels(httpStack, index), samples: bySeries.get(index)! }));
        bodies.push(Buffer.from(JSON.stringify({ batches })));
      }
      const agent = new Agent({ keepAlive: true, maxSockets: HTTP_CONCURRENCY });
      const http = await profiled('http', round, () =>
        measureService(sql, database.name, rows.length, async () => {
          let nextBody = 0;
          await Promise.all(
            Array.from({ length: HTTP_CONCURRENCY }, async () => {
              while (nextBody < bodies.length) {
                await post(agent, port, '/v1/samples', bodies[nextBody++]!);
              }
            }),
          );
        }),
      );
      agent.destroy();
      await assertStored(sql, httpStack, rows.length);
      return http;
    };

    // Bus: one kpi.samples event per series flush (1 000 samples each), as the gateway sends them,
    // produced to Kafka and consumed by the service's kpi.samples consumer.
    const measureBus = async (round: number): Promise<Measurement> => {
      const busStack = `bench-bus-${round}`;
      const messages: OutgoingMessage[] = seriesIndexes.map((index) => {
        const event = newEvent({ type: 'io.strata.kpi.samples.v1', service: 'bench', subject: `bench-${index}`, data: { series: seriesLabels(busStack, index), samples: bySeries.get(index)! } });
        return { topic: 'kpi.samples' as const, key: `bench-${index}`, value: JSON.stringify(event) };
      });
      writeFileSync(messagesFile, messages.map((message) => `${JSON.stringify(message)}\n`).join(''));
      await producer.send({ load: messagesFile }, 'loaded');
      const { rows: inboxBefore } = await sql.query<{ count: number }>(`SELECT count(*)::int AS count FROM metrics.inbox WHERE consumer_group = $1`, [BUS_GROUP]);
      const overBus = await profiled('bus', round, () =>
        measureService(sql, database.name, rows.length, async () => {
          await producer.send({ publish: true }, 'published');
          // Each event commits with its inbox row: counting those rows is cheap, counting samples is
          // not. A deadline, so an event that never lands (dead-lettered) fails the bench, not hangs it.
          const deadline = Date.now() + 120_000;
          for (;;) {
            const { rows: counted } = await sql.query<{ count: number }>(`SELECT count(*)::int AS count FROM metrics.inbox WHERE consumer_group = $1`, [BUS_GROUP]);
            if (counted[0]!.count - inboxBefore[0]!.count >= messages.length) break;
            if (Date.now() > deadline) {
              throw new Error(`only ${counted[0]!.count - inboxBefore[0]!.count} of ${messages.length} bus events were stored within 120 s (see strata.dlq)`);
            }
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
        }, producer.pid),
      );
      await assertStored(sql, busStack, rows.length);
      return overBus;
    };

    const paths: Array<[PathName, (round: number) => Promise<Measurement>]> = [
      ['ceiling', () => measureCeiling(database.url, file, rows.length)],
      ['http', measureHttp],
      ['bus', measureBus],
    ];
    for (let round = 1 - WARMUP_ROUNDS; round <= ROUNDS; round += 1) {
      // The order rotates each round: whichever path runs first (or after another's backlog of
      // autovacuum and checkpoints) does not always favour the same one.
      const shift = (((round - 1) % paths.length) + paths.length) % paths.length;
      const ordered = paths.map((_, index) => paths[(index + shift) % paths.length]!);
      const measured = new Map<PathName, Measurement>();
      for (const [name, measure] of ordered) {
        measured.set(name, await measure(round));
      }
      if (round >= 1) {
        rounds.push({ ceiling: measured.get('ceiling')!, http: measured.get('http')!, bus: measured.get('bus')!, order: ordered.map(([name]) => name) });
      }
    }

    profiler?.disconnect();

    const rate = (measurement: Measurement) => measurement.samples / measurement.seconds;
    const perCore = (measurement: Measurement) => measurement.samples / Math.max(measurement.cpuSeconds, 1e-9);
    const describe = (measurement: Measurement) =>
      `${rate(measurement).toFixed(0).padStart(7)} /s (${measurement.seconds.toFixed(2)} s, CPU ${measurement.cpuSeconds.toFixed(2)} s of which PostgreSQL ${measurement.serverCpuSeconds.toFixed(2)} s, ${perCore(measurement).toFixed(0).padStart(7)} /s per core)`;
    const lines = [`samples: ${rows.length} per path and round (${SERIES} series × ${SAMPLES_PER_SERIES}), ${ROUNDS} rounds after ${WARMUP_ROUNDS} warm-up`];
    rounds.forEach((round, index) => {
      lines.push(
        `round ${index + 1} (${round.order.join(' → ')}): ceiling psql \\copy ${describe(round.ceiling)}`,
        `         service HTTP JSON  ${describe(round.http)} ratio ${(rate(round.http) / rate(round.ceiling)).toFixed(3)}`,
        `         service bus        ${describe(round.bus)} ratio ${(rate(round.bus) / rate(round.ceiling)).toFixed(3)}`,
      );
    });
    const httpRatios = rounds.map((round) => rate(round.http) / rate(round.ceiling));
    const busRatios = rounds.map((round) => rate(round.bus) / rate(round.ceiling));
    const summary = {
      ratio: median(httpRatios),
      samplesPerSecPerCore: median(rounds.map((round) => perCore(round.http))),
      busRatio: median(busRatios),
      busSamplesPerSecPerCore: median(rounds.map((round) => perCore(round.bus))),
      ceilingRowsPerSecPerCore: median(rounds.map((round) => perCore(round.ceiling))),
    };
    lines.push(
      `median  HTTP: ratio ${summary.ratio.toFixed(3)} (rounds ${httpRatios.map((ratio) => ratio.toFixed(3)).join(', ')}), ${summary.samplesPerSecPerCore.toFixed(0)} samples/s per core`,
      `median  bus : ratio ${summary.busRatio.toFixed(3)} (rounds ${busRatios.map((ratio) => ratio.toFixed(3)).join(', ')}), ${summary.busSamplesPerSecPerCore.toFixed(0)} samples/s per core`,
      `median  ceiling: ${summary.ceilingRowsPerSecPerCore.toFixed(0)} rows/s per core`,
      '(the service also validates, resolves series, maintains 10 s and 1 min rollups and drops duplicates; the ceiling only appends)',
    );
    process.stdout.write(`${lines.join('\n')}\n`);
    if (json) {
      process.stdout.write(
        `${JSON.stringify({
          ratio: Number(summary.ratio.toFixed(4)),
          samplesPerSecPerCore: Math.round(summary.samplesPerSecPerCore),
          busRatio: Number(summary.busRatio.toFixed(4)),
          busSamplesPerSecPerCore: Math.round(summary.busSamplesPerSecPerCore),
        })}\n`,
      );
    }
  } finally {
    producer.close();
    for (const written of [file, messagesFile]) {
      try {
        unlinkSync(written);
      } catch {
        // never written: the run failed before
      }
    }
    await sql.end();
    await app.close();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:ingest failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
