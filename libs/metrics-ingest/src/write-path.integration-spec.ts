import { newEvent } from '@strata/messaging';
import { eventually } from '@strata/testing';
import { QuantileSketch, sketchOf } from './domain/quantile-sketch';
import { MetricsTestApp, startMetricsApp } from './test-support/metrics-app';

const minute = 60_000;

describe('metrics-ingest write path: concurrent writes, stored duplicates and the rollups', () => {
  let harness: MetricsTestApp;
  const base = Math.floor((Date.now() - 20 * minute) / minute) * minute;

  beforeAll(async () => {
    harness = await startMetricsApp('metrics-write-path');
  });

  afterAll(async () => {
    await harness?.close();
  });

  const http = () => harness.http();
  const series = (metric: string) => ({ stack: 'writes', environment: 'production', component: 'api', metric });

  const seriesId = async (metric: string): Promise<string> => {
    const { rows } = await harness.sql.query(`SELECT id::text AS id FROM metrics.series WHERE metric = $1`, [metric]);
    return rows[0].id;
  };

  const storedSamples = async (metric: string): Promise<Map<number, number>> => {
    const { rows } = await harness.sql.query(
      `SELECT (extract(epoch FROM s.time) * 1000)::bigint::text AS timestamp, s.value FROM metrics.samples s WHERE s.series_id = $1`,
      [await seriesId(metric)],
    );
    return new Map(rows.map((row: { timestamp: string; value: number }) => [Number(row.timestamp), row.value]));
  };

  /** Both rollup tables hold exactly the aggregates of the samples stored (each counted once). */
  const expectRollupsOfStoredSamples = async (metric: string): Promise<void> => {
    const samples = await storedSamples(metric);
    for (const [table, bucketMs] of [
      ['rollups_10s', 10_000],
      ['rollups_1m', minute],
    ] as const) {
      const expected = new Map<number, number[]>();
      for (const [timestamp, value] of samples) {
        const bucket = Math.floor(timestamp / bucketMs) * bucketMs;
        expected.set(bucket, [...(expected.get(bucket) ?? []), value]);
      }
      const { rows } = await harness.sql.query(
        `SELECT (extract(epoch FROM bucket) * 1000)::bigint::text AS bucket, count::int, sum, min, max, sketch FROM metrics.${table} WHERE series_id = $1 ORDER BY bucket`,
        [await seriesId(metric)],
      );
      expect(rows.map((row: { bucket: string }) => Number(row.bucket))).toEqual([...expected.keys()].sort((a, b) => a - b));
      for (const row of rows as Array<{ bucket: string; count: number; sum: number; min: number; max: number; sketch: QuantileSketch }>) {
        const values = expected.get(Number(row.bucket))!;
        expect({ table, bucket: row.bucket, count: row.count, min: row.min, max: row.max, sketch: row.sketch }).toEqual({
          table,
          bucket: row.bucket,
          count: values.length,
          min: Math.min(...values),
          max: Math.max(...values),
          sketch: sketchOf(values),
        });
        expect(row.sum).toBeCloseTo(values.reduce((total, value) => total + value, 0), 6);
      }
    }
  };

  it('adds concurrent writes to the same rollup buckets without losing or double-counting any', async () => {
    // Eight requests at once, interleaved in time: every one touches every 10 s and 1 min bucket.
    const requests = Array.from({ length: 8 }, (_, writer) =>
      Array.from({ length: 120 }, (_, index) => ({ timestamp: base + index * 1_000 + writer * 100, value: (writer + 1) * 1_000 + index })),
    );
    const responses = await Promise.all(requests.map((samples) => http().post('/v1/samples').send({ batches: [{ series: series('concurrent_buckets'), samples }] })));
    expect(responses.map((response) => response.status)).toEqual(requests.map(() => 200));
    expect(responses.map((response) => response.body.samplesStored)).toEqual(requests.map(() => 120));
    expect((await storedSamples('concurrent_buckets')).size).toBe(8 * 120);
    await expectRollupsOfStoredSamples('concurrent_buckets');
  });

  it('stores each sample once when concurrent writes repeat each other, and rolls up only what was stored', async () => {
    // Four writers with the same timestamps and different values: one value per timestamp wins, the others are duplicates.
    const timestamps = Array.from({ length: 300 }, (_, index) => base + 5 * minute + index * 500);
    const responses = await Promise.all(
      [1, 2, 3, 4].map((writer) => http().post('/v1/samples').send({ batches: [{ series: series('concurrent_repeats'), samples: timestamps.map((timestamp) => ({ timestamp, value: writer })) }] })),
    );
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200]);
    const counted = responses.reduce((total, response) => ({ stored: total.stored + response.body.samplesStored, duplicate: total.duplicate + response.body.samplesDuplicate }), { stored: 0, duplicate: 0 });
    expect(counted).toEqual({ stored: 300, duplicate: 900 });
    expect((await storedSamples('concurrent_repeats')).size).toBe(300);
    await expectRollupsOfStoredSamples('concurrent_repeats');
  });

  it('keeps the first value of samples stored before and of samples repeated within a request, counting both', async () => {
    const first = Array.from({ length: 50 }, (_, index) => ({ timestamp: base + 10 * minute + index * 1_000, value: index }));
    await http().post('/v1/samples').send({ batches: [{ series: series('partly_stored'), samples: first }] }).expect(200);
    // Out of order, 25 overlapping the first write, one repeated inside this request (in two batches of the same series).
    const overlapping = Array.from({ length: 50 }, (_, index) => ({ timestamp: base + 10 * minute + (index + 25) * 1_000, value: 1_000 + index })).reverse();
    const response = await http()
      .post('/v1/samples')
      .send({
        batches: [
          { series: series('partly_stored'), samples: overlapping },
          { series: series('partly_stored'), samples: [{ timestamp: base + 10 * minute + 60_000, value: -5 }] },
        ],
      })
      .expect(200);
    expect(response.body).toMatchObject({ series: 1, samplesReceived: 51, samplesStored: 25, samplesDuplicate: 26 });
    const stored = await storedSamples('partly_stored');
    expect(stored.size).toBe(75);
    expect(stored.get(base + 10 * minute + 30_000)).toBe(30);
    expect(stored.get(base + 10 * minute + 60_000)).toBe(1_035);
    await expectRollupsOfStoredSamples('partly_stored');
  });

  it('takes the duplicate path inside a bus event’s inbox transaction and keeps that transaction', async () => {
    const flush = (offset: number) =>
      newEvent({
        type: 'io.strata.kpi.samples.v1',
        service: 'gateway',
        subject: 'writes',
        data: { series: series('bus_overlap'), samples: Array.from({ length: 40 }, (_, index) => ({ timestamp: base + 15 * minute + (index + offset) * 1_000, value: offset + index })) },
      });
    const events = [flush(0), flush(20)];
    await harness.bus.publish(events.map((event) => ({ topic: 'kpi.samples' as const, key: 'writes', value: JSON.stringify(event) })));
    await eventually(async () => expect((await storedSamples('bus_overlap')).size).toBe(60));
    const { rows } = await harness.sql.query(`SELECT count(*)::int AS count FROM metrics.inbox WHERE event_id = ANY($1)`, [events.map((event) => event.id)]);
    expect(rows[0].count).toBe(2);
    expect((await storedSamples('bus_overlap')).get(base + 15 * minute + 25_000)).toBe(25);
    await expectRollupsOfStoredSamples('bus_overlap');
  });

  it('folds histograms into the rollups once, so windows carry their exact mean and percentiles to bucket resolution', async () => {
    const start = base + 18 * minute;
    const bounds = [1, 2, 5, 10, 25, null];
    // A gateway's latency flushes: one histogram per second, 10 requests each (4 at ~1.5 ms, 5 at ~3.5, 1 at ~20).
    const histograms = Array.from({ length: 10 }, (_, index) => ({ timestamp: start + index * 1_000, bounds, counts: [0, 4, 5, 0, 1, 0], sum: 42, count: 10 }));
    const send = () => http().post('/v1/samples').send({ batches: [{ series: series('gateway_request_duration_ms'), samples: [], histograms }] });

    expect((await send().expect(200)).body).toMatchObject({ histogramsStored: 10 });
    expect((await send().expect(200)).body).toMatchObject({ histogramsStored: 0, histogramsDuplicate: 10 });

    const { rows } = await harness.sql.query(
      `SELECT count::int, sum, min, max FROM metrics.rollups_10s WHERE series_id = $1 AND bucket = to_timestamp($2 / 1000.0)`,
      [await seriesId('gateway_request_duration_ms'), start],
    );
    expect(rows).toEqual([{ count: 100, sum: 420, min: 1, max: 25 }]);
    const range = await http()
      .get(`/v1/series/${await seriesId('gateway_request_duration_ms')}/range`)
      .query({ start, end: start + 10_000, step: 10_000, aggregation: 'avg' })
      .expect(200);
    expect(range.body.points).toEqual([{ timestamp: start, value: 4.2 }]);
    const p99 = await http()
      .get(`/v1/series/${await seriesId('gateway_request_duration_ms')}/range`)
      .query({ start, end: start + 10_000, step: 10_000, aggregation: 'p99' })
      .expect(200);
    // The top 1 % lies in the 10–25 ms bucket, whose middle stands for it.
    expect(p99.body.points[0].value).toBeGreaterThan(17.5 * 0.97);
    expect(p99.body.points[0].value).toBeLessThan(17.5 * 1.03);
  });
});

