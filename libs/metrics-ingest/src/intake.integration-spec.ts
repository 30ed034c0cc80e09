import { newEvent } from '@strata/messaging';
import { ListPage, eventually, idsPagedThrough } from '@strata/testing';
import { encodeRemoteWrite } from './prometheus/remote-write';
import { MetricsTestApp, startMetricsApp } from './test-support/metrics-app';

const minute = 60_000;

function series(metric: string, overrides: Record<string, string> = {}) {
  return { stack: 'checkout', environment: 'production', component: 'checkout-api', metric, ...overrides };
}

describe('metrics-ingest intake', () => {
  let harness: MetricsTestApp;
  const base = Math.floor((Date.now() - 30 * minute) / minute) * minute;

  beforeAll(async () => {
    harness = await startMetricsApp('metrics-intake');
  });

  afterAll(async () => {
    await harness?.close();
  });

  const http = () => harness.http();
  const countSamples = async (metric: string): Promise<number> => {
    const { rows } = await harness.sql.query(
      `SELECT count(*)::int AS count FROM metrics.samples s JOIN metrics.series r ON r.id = s.series_id WHERE r.metric = $1`,
      [metric],
    );
    return rows[0].count;
  };

  it('stores JSON batches, keeps the first value of a duplicate and counts it', async () => {
    const samples = Array.from({ length: 50 }, (_, index) => ({ timestamp: base + index * 1000, value: index }));
    const first = await http()
      .post('/v1/samples')
      .send({ batches: [{ series: series('json_latency'), samples, histograms: [{ timestamp: base, bounds: [0.1, 1, null], counts: [1, 2, 3], sum: 4.5, count: 6 }] }] })
      .expect(200);
    expect(first.body).toEqual({
      series: 1,
      samplesReceived: 50,
      samplesStored: 50,
      samplesDuplicate: 0,
      histogramsReceived: 1,
      histogramsStored: 1,
      histogramsDuplicate: 0,
      samplesSkippedNonFinite: 0,
    });
    const again = await http()
      .post('/v1/samples')
      .send({ batches: [{ series: series('json_latency'), samples: [{ timestamp: base, value: 999 }, { timestamp: base + 3_600, value: 7 }] }] })
      .expect(200);
    expect(again.body).toMatchObject({ samplesStored: 1, samplesDuplicate: 1 });
    const { rows } = await harness.sql.query(
      `SELECT s.value FROM metrics.samples s JOIN metrics.series r ON r.id = s.series_id WHERE r.metric = 'json_latency' AND s.time = to_timestamp($1 / 1000.0)`,
      [base],
    );
    expect(rows).toEqual([{ value: 0 }]);
    const histograms = await harness.sql.query(`SELECT bounds, counts, sum, count::int FROM metrics.histograms`);
    expect(histograms.rows).toEqual([{ bounds: [0.1, 1, Infinity], counts: ['1', '2', '3'], sum: 4.5, count: 6 }]);
  });

  it('refuses a malformed batch with 400 naming the first bad sample, and stores nothing of the request', async () => {
    const good = Array.from({ length: 30 }, (_, index) => ({ timestamp: base + index * 1000, value: index }));
    const bad = good.map((sample, index) => (index === 17 || index === 21 ? { ...sample, value: 'slow' } : sample));
    const refused = await http()
      .post('/v1/samples')
      .send({ batches: [{ series: series('refused_metric'), samples: good }, { series: series('refused_metric', { node: 'n1' }), samples: bad }] })
      .expect(400);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body.errors).toEqual([{ field: 'batches[1].samples', message: 'samples[17].value must be a finite number within ±1e300' }]);
    expect(await countSamples('refused_metric')).toBe(0);
  });

  it('refuses a sample outside retention with 422 naming it, and stores nothing of the request', async () => {
    const tooOld = Date.now() - 30 * 86_400_000;
    const refused = await http()
      .post('/v1/samples')
      .send({
        batches: [
          { series: series('old_metric'), samples: [{ timestamp: base, value: 1 }] },
          { series: series('old_metric', { node: 'n2' }), samples: [{ timestamp: base, value: 1 }, { timestamp: tooOld, value: 2 }] },
        ],
      })
      .expect(422);
    expect(refused.body.errors).toEqual([{ field: 'batches[1].samples[1].timestamp', message: expect.stringContaining('accepted range') }]);
    expect(await countSamples('old_metric')).toBe(0);
  });

  it('refuses unknown fields and bad labels with 400', async () => {
    const refused = await http()
      .post('/v1/samples')
      .send({ batches: [{ series: { ...series('bad name!'), color: 'red' }, samples: [{ timestamp: base, value: 1, extra: true }] }] })
      .expect(400);
    expect(refused.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['batches[0].samples', 'batches[0].series.color', 'batches[0].series.metric']);
  });

  it('maps Prometheus text exposition onto series, keeping extra labels', async () => {
    const body = [
      '# HELP http_requests_total Requests.',
      '# TYPE http_requests_total counter',
      `http_requests_total{stack="checkout",environment="production",job="api",instance="10.0.0.1:80",method="GET"} 10 ${base}`,
      `http_requests_total{stack="checkout",environment="production",job="api",instance="10.0.0.1:80",method="POST"} 3 ${base}`,
      `http_requests_total{stack="checkout",environment="production",job="api",instance="10.0.0.1:80",method="GET"} 12 ${base + 1000}`,
      `process_up{job="api"} NaN ${base}`,
    ].join('\n');
    const stored = await http().post('/v1/prometheus').query({ stack: 'checkout', environment: 'production' }).set('content-type', 'text/plain; version=0.0.4').send(body).expect(200);
    expect(stored.body).toMatchObject({ series: 2, samplesReceived: 3, samplesStored: 3, samplesSkippedNonFinite: 1 });
    const found = await http().get('/v1/series').query({ metric: 'http_requests_total' }).expect(200);
    expect(found.body.items.map((item: { labels: unknown }) => item.labels)).toEqual(
      expect.arrayContaining([
        { stack: 'checkout', environment: 'production', component: 'api', stackConfig: null, node: '10.0.0.1:80', metric: 'http_requests_total', extra: { job: 'api', instance: '10.0.0.1:80', method: 'GET' } },
      ]),
    );
    expect(found.body.items).toHaveLength(2);
  });

  it('pages through series in numeric id order, each series once, across ids of more digits', async () => {
    // The next ids cross 999 → 1000, where text order ('1000' < '998') and numeric order part.
    await harness.sql.query(`SELECT setval(pg_get_serial_sequence('metrics.series', 'id'), 994)`);
    const batches = Array.from({ length: 12 }, (_, index) => ({ series: series(`paged_metric_${index}`, { stack: 'paging' }), samples: [{ timestamp: base, value: index }] }));
    await http().post('/v1/samples').send({ batches }).expect(200);
    const { rows } = await harness.sql.query<{ id: string }>(`SELECT id FROM metrics.series WHERE stack = 'paging' ORDER BY id`);
    const expected = rows.map((row) => row.id);
    expect(expected).toHaveLength(12);
    expect(expected[0]!.length).toBeLessThan(expected[11]!.length);

    const seen = await idsPagedThrough(async (after) => (await http().get('/v1/series').query({ stack: 'paging', limit: 5, ...(after ? { after } : {}) }).expect(200)).body as ListPage);
    expect(seen).toEqual(expected);
  });

  it('answers 400 naming the line of a syntax error, 422 for a series without a stack', async () => {
    const syntax = await http().post('/v1/prometheus').set('content-type', 'text/plain').send('ok_metric{stack="a",environment="b",component="c"} 1\nbroken{stack="a" 1\n').expect(400);
    expect(syntax.body.errors).toEqual([{ field: 'line 2', message: expect.any(String) }]);
    const unmapped = await http().post('/v1/prometheus').set('content-type', 'text/plain').send('lonely_metric{job="x"} 1\n').expect(422);
    expect(unmapped.body.errors).toEqual([{ field: 'line 1.labels', message: "no 'stack' label and no default for it" }]);
    expect(await countSamples('ok_metric')).toBe(0);
  });

  it('receives Prometheus remote write (snappy + protobuf)', async () => {
    const body = encodeRemoteWrite({
      timeseries: [
        {
          labels: [
            { name: '__name__', value: 'node_cpu_utilisation' },
            { name: 'stack', value: 'checkout' },
            { name: 'environment', value: 'staging' },
            { name: 'job', value: 'node' },
            { name: 'instance', value: 'host-1:9100' },
          ],
          samples: [
            { value: 0.25, timestamp: base },
            { value: 0.5, timestamp: base + 15_000 },
            { value: Number.NaN, timestamp: base + 30_000 },
          ],
        },
      ],
    });
    await http().post('/api/v1/write').set('content-type', 'application/x-protobuf').set('content-encoding', 'snappy').send(body).expect(204);
    const { rows } = await harness.sql.query(
      `SELECT r.component, r.node, s.value FROM metrics.samples s JOIN metrics.series r ON r.id = s.series_id WHERE r.metric = 'node_cpu_utilisation' ORDER BY s.time`,
    );
    expect(rows).toEqual([
      { component: 'node', node: 'host-1:9100', value: 0.25 },
      { component: 'node', node: 'host-1:9100', value: 0.5 },
    ]);
    const garbage = await http().post('/api/v1/write').set('content-type', 'application/x-protobuf').set('content-encoding', 'snappy').send(Buffer.from('not snappy at all')).expect(400);
    expect(garbage.body.errors[0].field).toBe('body');
  });

  it('consumes kpi.samples from the bus once per event, and dead-letters an out-of-range flush', async () => {
    const event = newEvent({
      type: 'io.strata.kpi.samples.v1',
      service: 'gateway',
      subject: 'checkout',
      data: { series: series('gateway_latency_seconds', { stackConfig: 'checkout@1' }), samples: [{ timestamp: base, value: 0.1 }, { timestamp: base + 1000, value: 0.3 }] },
    });
    const message = { topic: 'kpi.samples' as const, key: 'checkout', value: JSON.stringify(event) };
    await harness.bus.publish([message]);
    await harness.bus.publish([message]);
    await eventually(async () => expect(await countSamples('gateway_latency_seconds')).toBe(2));
    const { rows } = await harness.sql.query(`SELECT count(*)::int AS count FROM metrics.inbox WHERE event_id = $1`, [event.id]);
    expect(rows[0].count).toBe(1);

    const deadLetters: string[] = [];
    const handle = await harness.bus.subscribe({ groupId: 'test-dlq', topics: ['dlq'], handler: async (incoming) => void deadLetters.push(incoming.headers['strata-dlq-reason'] ?? '') });
    const stale = newEvent({
      type: 'io.strata.kpi.samples.v1',
      service: 'gateway',
      subject: 'checkout',
      data: { series: series('gateway_stale'), samples: [{ timestamp: 1_000, value: 1 }] },
    });
    await harness.bus.publish([{ topic: 'kpi.samples', key: 'checkout', value: JSON.stringify(stale) }]);
    await eventually(() => expect(deadLetters).toEqual([expect.stringContaining('accepted range')]));
    await handle.stop();
    expect(await countSamples('gateway_stale')).toBe(0);
  });
});
