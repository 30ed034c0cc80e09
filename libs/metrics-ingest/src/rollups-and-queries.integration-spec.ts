import { DAY_MS, startOfUtcDay } from './domain/partitions';
import { RELATIVE_ACCURACY, exactQuantile } from './domain/quantile-sketch';
import { PartitionMaintenanceService } from './services/partition-maintenance.service';
import { WindowPublisherService } from './services/window-publisher.service';
import { MetricsTestApp, startMetricsApp } from './test-support/metrics-app';

interface Truth {
  /** timestamp → first written value */
  values: Map<number, number>;
}

/** A small deterministic generator, so a failing run can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function bucketsOf(truth: Truth, bucketMs: number) {
  const buckets = new Map<number, number[]>();
  for (const [timestamp, value] of truth.values) {
    const bucket = Math.floor(timestamp / bucketMs) * bucketMs;
    buckets.set(bucket, [...(buckets.get(bucket) ?? []), value]);
  }
  return buckets;
}

describe('metrics-ingest rollups, queries, windows and retention', () => {
  let harness: MetricsTestApp;
  const seed = Date.now() % 100_000;
  const next = random(seed);
  const minute = 60_000;
  const base = Math.floor((Date.now() - 40 * minute) / (10 * minute)) * 10 * minute;
  const metrics = Array.from({ length: 6 }, (_, index) => `random_metric_${index}`);
  const truths = new Map<string, Truth>(metrics.map((metric) => [metric, { values: new Map() }]));
  const seriesIds = new Map<string, string>();

  beforeAll(async () => {
    harness = await startMetricsApp('metrics-rollups');
    // Random samples over 6 minutes, sent out of order in several requests, with duplicate timestamps.
    const pending: Array<{ metric: string; timestamp: number; value: number }> = [];
    for (const metric of metrics) {
      for (let index = 0; index < 400; index += 1) {
        const timestamp = base + Math.floor(next() * 6 * minute);
        const kind = next();
        const value = kind < 0.05 ? 0 : kind < 0.15 ? -next() * 50 : Math.exp(next() * 8 - 2);
        pending.push({ metric, timestamp, value });
      }
    }
    pending.sort(() => next() - 0.5);
    for (let offset = 0; offset < pending.length; offset += 300) {
      const chunk = pending.slice(offset, offset + 300);
      for (const sample of chunk) {
        const truth = truths.get(sample.metric)!;
        if (!truth.values.has(sample.timestamp)) {
          truth.values.set(sample.timestamp, sample.value);
        }
      }
      const batches = metrics
        .map((metric) => ({
          series: { stack: 'rollups', environment: 'production', component: 'api', metric },
          samples: chunk.filter((sample) => sample.metric === metric).map(({ timestamp, value }) => ({ timestamp, value })),
        }))
        .filter((batch) => batch.samples.length > 0);
      await harness.http().post('/v1/samples').send({ batches }).expect(200);
    }
    const { rows } = await harness.sql.query(`SELECT id::text, metric FROM metrics.series WHERE stack = 'rollups'`);
    for (const row of rows) {
      seriesIds.set(row.metric, row.id);
    }
  });

  afterAll(async () => {
    await harness?.close();
  });

  const http = () => harness.http();

  it.each([
    ['rollups_10s', 10_000],
    ['rollups_1m', 60_000],
  ])(`%s equals a brute-force recomputation of the random samples (seed in test name) [seed ${seed}]`, async (table, bucketMs) => {
    for (const metric of metrics) {
      const expected = bucketsOf(truths.get(metric)!, bucketMs);
      const { rows } = await harness.sql.query(
        `SELECT (extract(epoch FROM bucket) * 1000)::bigint AS bucket, count::int, sum, min, max, sketch FROM metrics.${table} WHERE series_id = $1 ORDER BY bucket`,
        [seriesIds.get(metric)],
      );
      expect(rows.map((row) => Number(row.bucket))).toEqual([...expected.keys()].sort((a, b) => a - b));
      for (const row of rows) {
        const values = expected.get(Number(row.bucket))!;
        expect(row.count).toBe(values.length);
        expect(row.sum).toBeCloseTo(values.reduce((total, value) => total + value, 0), 6);
        expect(row.min).toBe(Math.min(...values));
        expect(row.max).toBe(Math.max(...values));
        expect(Object.values(row.sketch as Record<string, number>).reduce((total, count) => total + count, 0)).toBe(values.length);
      }
    }
  });

  it.each(['p50', 'p95', 'p99'] as const)('answers %s from rollups within the sketch accuracy of the exact value', async (aggregation) => {
    const quantile = { p50: 0.5, p95: 0.95, p99: 0.99 }[aggregation];
    for (const metric of metrics) {
      const response = await http().get(`/v1/series/${seriesIds.get(metric)}/range`).query({ start: base, end: base + 6 * minute, step: 2 * minute, aggregation }).expect(200);
      expect(response.body.source).toBe('rollup-1m');
      const steps = bucketsOf(truths.get(metric)!, 2 * minute);
      expect(response.body.points).toHaveLength(steps.size);
      for (const point of response.body.points as Array<{ timestamp: number; value: number }>) {
        const exact = exactQuantile(steps.get(point.timestamp)!, quantile)!;
        expect(Math.abs(point.value - exact)).toBeLessThanOrEqual(Math.abs(exact) * RELATIVE_ACCURACY + 1e-12);
      }
    }
  });

  it.each([
    ['avg', 30_000, 'rollup-10s'],
    ['sum', 60_000, 'rollup-1m'],
    ['min', 7_000, 'raw'],
    ['max', 10_000, 'rollup-10s'],
    ['count', 120_000, 'rollup-1m'],
    ['p95', 15_000, 'raw'],
  ] as const)('answers %s with step %i from %s, equal to brute force', async (aggregation, step, source) => {
    const metric = metrics[0]!;
    const response = await http().get(`/v1/series/${seriesIds.get(metric)}/range`).query({ start: base, end: base + 6 * minute, step, aggregation }).expect(200);
    expect(response.body.source).toBe(source);
    const steps = bucketsOf(truths.get(metric)!, step);
    const brute = (values: number[]): number => {
      switch (aggregation) {
        case 'avg':
          return values.reduce((total, value) => total + value, 0) / values.length;
        case 'sum':
          return values.reduce((total, value) => total + value, 0);
        case 'min':
          return Math.min(...values);
        case 'max':
          return Math.max(...values);
        case 'count':
          return values.length;
        case 'p95':
          return exactQuantile(values, 0.95)!;
      }
    };
    expect(response.body.points.map((point: { timestamp: number }) => point.timestamp)).toEqual([...steps.keys()].sort((a, b) => a - b));
    for (const point of response.body.points as Array<{ timestamp: number; value: number }>) {
      expect(point.value).toBeCloseTo(brute(steps.get(point.timestamp)!), 6);
    }
  });

  it('computes a counter rate across a reset from raw samples', async () => {
    const start = base + 20 * minute;
    const values = [0, 10, 20, 30, 5, 15, 25, 35];
    await http()
      .post('/v1/samples')
      .send({ batches: [{ series: { stack: 'rollups', environment: 'production', component: 'api', metric: 'requests_total' }, samples: values.map((value, index) => ({ timestamp: start + index * 10_000, value })) }] })
      .expect(200);
    const found = await http().get('/v1/series').query({ stack: 'rollups', metric: 'requests_total' }).expect(200);
    const response = await http().get(`/v1/series/${found.body.items[0].id}/range`).query({ start, end: start + 80_000, step: 40_000, aggregation: 'rate' }).expect(200);
    // Step 1: 10+10+10 over 40 s; step 2: reset to 5 counts 5, then 10+10+10.
    expect(response.body).toMatchObject({ source: 'raw', points: [{ timestamp: start, value: 30 / 40 }, { timestamp: start + 40_000, value: 35 / 40 }] });
  });

  it('refuses a range with too many steps and an unknown series', async () => {
    const id = seriesIds.get(metrics[0]!);
    const tooFine = await http().get(`/v1/series/${id}/range`).query({ start: 0, end: 86_400_000 * 30, step: 1000 }).expect(422);
    expect(tooFine.body.errors).toEqual([{ field: 'step', message: 'must be at least 235637 for this range' }]);
    // No step the query may take would do: the advice is a narrower range, never a step above the largest.
    const tooLong = await http().get(`/v1/series/${id}/range`).query({ start: 0, end: Number.MAX_SAFE_INTEGER, step: 1000 }).expect(422);
    expect(tooLong.body.errors).toEqual([{ field: 'end', message: `must be at most ${11_000 * 86_400_000 * 31} ms after start` }]);
    const widest = await http().get(`/v1/series/${id}/range`).query({ start: 0, end: 11_000 * 86_400_000 * 31, step: 86_400_000 * 31 }).expect(200);
    expect(widest.body.points.length).toBeLessThanOrEqual(11_000);
    await http().get(`/v1/series/999999/range`).query({ start: base, end: base + minute, step: 10_000 }).expect(404);
    await http().get(`/v1/series/${id}/range`).query({ start: base, end: base + minute, step: 10_000, aggregation: 'median' }).expect(400);
  });

  it('publishes window aggregates on kpi.windows through the outbox', async () => {
    const windows = harness.app.get(WindowPublisherService);
    const windowEnd = base + 3 * minute;
    const publication = await windows.publishDue(windowEnd + 2_000);
    expect(publication?.publishedEnd).toBe(windowEnd);
    const { rows } = await harness.sql.query(`SELECT message_key, topic, event FROM metrics.outbox WHERE event_type = 'io.strata.kpi.window.v1'`);
    const metric = metrics[1]!;
    const row = rows.find((candidate) => candidate.message_key === seriesIds.get(metric));
    const values = [...truths.get(metric)!.values].filter(([timestamp]) => timestamp >= windowEnd - 10_000 && timestamp < windowEnd).map(([, value]) => value);
    expect(row.topic).toBe('kpi.windows');
    expect(row.event.data).toMatchObject({
      seriesId: seriesIds.get(metric),
      series: { stack: 'rollups', environment: 'production', component: 'api', metric },
      windowStart: windowEnd - 10_000,
      windowEnd,
      count: values.length,
      min: Math.min(...values),
      max: Math.max(...values),
    });
    expect(row.event.data.sum).toBeCloseTo(values.reduce((total, value) => total + value, 0), 6);
    expect(await windows.publishDue(windowEnd + 2_000)).toBeNull();
  });

  it('skips a window the contract refuses (a sum stored as Infinity) and publishes every other series', async () => {
    const windows = harness.app.get(WindowPublisherService);
    const windowEnd = base + 3 * minute + 10_000; // the window after the one the case above published
    const broken = seriesIds.get(metrics[2]!)!;
    await harness.sql.query(`UPDATE metrics.rollups_10s SET sum = 'Infinity' WHERE series_id = $1 AND bucket >= $2 AND bucket < $3`, [broken, new Date(windowEnd - 10_000), new Date(windowEnd)]);

    const publication = await windows.publishDue(windowEnd + 2_000);

    expect(publication?.publishedEnd).toBe(windowEnd);
    const { rows } = await harness.sql.query(`SELECT message_key FROM metrics.outbox WHERE event_type = 'io.strata.kpi.window.v1' AND (event->'data'->>'windowEnd')::bigint = $1`, [windowEnd]);
    const published = rows.map((row) => row.message_key as string);
    expect(published).not.toContain(broken);
    expect(published.length).toBeGreaterThanOrEqual(metrics.length - 2); // each other series with a sample in the window
  });

  it('drops whole partitions past retention and creates partitions ahead', async () => {
    const today = startOfUtcDay(Date.now());
    const sixDaysAgo = today - 6 * DAY_MS + 3_600_000;
    await http()
      .post('/v1/samples')
      .send({ batches: [{ series: { stack: 'retention', environment: 'production', component: 'api', metric: 'old_and_new' }, samples: [{ timestamp: sixDaysAgo, value: 1 }, { timestamp: Date.now() - minute, value: 2 }] }] })
      .expect(200);
    const label = (day: number) => new Date(day).toISOString().slice(0, 10).replaceAll('-', '');
    const outcome = await harness.app.get(PartitionMaintenanceService).runOnce(Date.now() + 2 * DAY_MS);
    expect(outcome.dropped.sort()).toEqual([`histograms_p${label(sixDaysAgo)}`, `samples_p${label(sixDaysAgo)}`]);
    expect(outcome.created).toEqual(expect.arrayContaining([`samples_p${label(today + 3 * DAY_MS)}`, `rollups_1m_p${label(today + 3 * DAY_MS)}`]));
    const { rows } = await harness.sql.query(
      `SELECT s.value FROM metrics.samples s JOIN metrics.series r ON r.id = s.series_id WHERE r.metric = 'old_and_new' ORDER BY s.time`,
    );
    expect(rows).toEqual([{ value: 2 }]);
    const rollups = await harness.sql.query(`SELECT count(*)::int AS count FROM metrics.rollups_1m r JOIN metrics.series s ON s.id = r.series_id WHERE s.metric = 'old_and_new'`);
    expect(rollups.rows[0].count).toBe(2);
  });
});
