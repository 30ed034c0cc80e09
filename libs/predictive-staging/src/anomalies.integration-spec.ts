import { StreamingAnomalyDetector } from '@strata/analytics';
import { ListPage, eventually, idsPagedThrough } from '@strata/testing';
import { RetentionService } from './services/retention.service';
import { PredictiveStagingTestApp, startPredictiveStagingTestApp, testSettings } from './test-support/predictive-staging-test-app';
import { START, WINDOW_MS, aSeries, feedWindows, steadySeries } from './test-support/series-fixtures';

describe('predictive-staging anomalies', () => {
  let sut: PredictiveStagingTestApp;

  beforeAll(async () => {
    sut = await startPredictiveStagingTestApp('ps-anomalies', testSettings({ historyPoints: 100 }));
  });

  afterAll(async () => {
    await sut?.close();
  });

  const spikeAt = 170;

  describe('a series with an injected spike and a steady one', () => {
    const spiky = aSeries();
    const steady = aSeries({ stack: spiky.stack, component: 'checkout-db', metric: 'db_query_ms' });
    const spikyValues = steadySeries(180);
    spikyValues[spikeAt] = 160;
    const steadyValues = steadySeries(180, 40, 99);

    beforeAll(async () => {
      await Promise.all([feedWindows(sut, 'spiky', spiky, spikyValues), feedWindows(sut, 'steady', steady, steadyValues)]);
    }, 120_000);

    it('stores one anomaly for the spike, with its evidence, and none for the steady series', async () => {
      const { rows } = await sut.sql.query<{ series_id: string; at: Date; severity: string; evidence: { observed: number; expected: number; window: { end: number } } }>(
        'SELECT series_id, at, severity, evidence FROM staging.anomalies ORDER BY id',
      );
      expect(rows.map((row) => row.series_id)).toEqual(['spiky']);
      const [anomaly] = rows;
      expect(anomaly!.at.getTime()).toBe(START + (spikeAt + 1) * WINDOW_MS);
      expect(['high', 'critical']).toContain(anomaly!.severity);
      expect(anomaly!.evidence.observed).toBe(160);
      expect(Math.abs(anomaly!.evidence.expected - 100)).toBeLessThan(2);
    });

    it('publishes the anomaly through the outbox with its evidence', async () => {
      const event = await eventually(() => {
        const found = sut.published.find((candidate) => candidate.type === 'io.strata.anomaly.detected.v1');
        expect(found).toBeDefined();
        return found!;
      });
      expect(event.subject).toBe(spiky.stack);
      expect(event.data).toMatchObject({ seriesId: 'spiky', series: spiky, at: START + (spikeAt + 1) * WINDOW_MS, evidence: { observed: 160, window: { start: START + spikeAt * WINDOW_MS, value: 'mean' } } });
      expect(sut.published.filter((candidate) => candidate.type === 'io.strata.anomaly.detected.v1')).toHaveLength(1);
    });

    it('keeps each detector state in PostgreSQL exactly as an uninterrupted detector would hold it', async () => {
      const local = new StreamingAnomalyDetector();
      spikyValues.forEach((value) => local.update(value));
      const { rows } = await sut.sql.query<{ detector_state: unknown; last_window_end: Date }>('SELECT detector_state, last_window_end FROM staging.series WHERE series_id = $1', ['spiky']);
      expect(rows[0]!.detector_state).toEqual(local.toJSON());
      expect(rows[0]!.last_window_end.getTime()).toBe(START + 180 * WINDOW_MS);
    });

    it('keeps a bounded history of window values, trimmed every 50 windows', async () => {
      // Trimmed to the newest 100 at the 150th window, then 30 more arrived.
      const { rows } = await sut.sql.query<{ count: string; oldest: Date; newest: Date }>(
        "SELECT count(*), min(window_end) AS oldest, max(window_end) AS newest FROM staging.series_points WHERE series_id = 'spiky'",
      );
      expect(Number(rows[0]!.count)).toBe(130);
      expect(rows[0]!.oldest.getTime()).toBe(START + 51 * WINDOW_MS);
      expect(rows[0]!.newest.getTime()).toBe(START + 180 * WINDOW_MS);
    });

    it('ignores a replayed window the detector has moved past', async () => {
      await sut.publishWindow('spiky', spiky, START + spikeAt * WINDOW_MS, 160, WINDOW_MS);
      await sut.publishWindow('spiky', spiky, START + 180 * WINDOW_MS, 100, WINDOW_MS);
      await eventually(async () => {
        const { rows } = await sut.sql.query<{ windows_seen: number }>('SELECT windows_seen FROM staging.series WHERE series_id = $1', ['spiky']);
        expect(rows[0]!.windows_seen).toBe(181);
      });
      const { rows } = await sut.sql.query<{ count: string }>('SELECT count(*) FROM staging.anomalies');
      expect(Number(rows[0]!.count)).toBe(1);
    });

    it('restarts a series whose stored state another detector version wrote, instead of failing its windows', async () => {
      await sut.sql.query(`UPDATE staging.series SET detector_state = '{"config":{},"seen":5,"legacy":true}' WHERE series_id = 'steady'`);
      await sut.publishWindow('steady', steady, START + 180 * WINDOW_MS, 40, WINDOW_MS);
      await eventually(async () => {
        const { rows } = await sut.sql.query<{ windows_seen: number; detector_state: { seen: number; legacy?: boolean } }>("SELECT windows_seen, detector_state FROM staging.series WHERE series_id = 'steady'");
        expect(rows[0]!.windows_seen).toBe(181);
        expect(rows[0]!.detector_state.seen).toBe(1);
        expect(rows[0]!.detector_state.legacy).toBeUndefined();
      });
    });

    it('lists anomalies by stack, component, stack config, severity and time', async () => {
      const spikeTime = new Date(START + (spikeAt + 1) * WINDOW_MS);
      const list = await sut.http().get('/v1/anomalies').query({ stack: spiky.stack, severity: 'high' }).expect(200);
      expect(list.body.items).toHaveLength(1);
      expect(list.body.items[0]).toMatchObject({ seriesId: 'spiky', series: { ...spiky }, at: spikeTime.toISOString(), evidence: { observed: 160, window: { end: spikeTime.getTime() } } });
      expect(list.body.nextCursor).toBeNull();

      const byConfig = await sut.http().get('/v1/anomalies').query({ stackConfig: spiky.stackConfig, component: spiky.component, from: new Date(spikeTime.getTime() - 1).toISOString(), to: new Date(spikeTime.getTime() + 1).toISOString() }).expect(200);
      expect(byConfig.body.items.map((item: { id: string }) => item.id)).toEqual([list.body.items[0].id]);
      for (const miss of [{ component: 'checkout-db' }, { stack: 'other' }, { from: new Date(spikeTime.getTime() + 1).toISOString() }]) {
        const empty = await sut.http().get('/v1/anomalies').query(miss).expect(200);
        expect(empty.body.items).toEqual([]);
      }

      const one = await sut.http().get(`/v1/anomalies/${list.body.items[0].id}`).expect(200);
      expect(one.body).toEqual(list.body.items[0]);
    });

    it('answers bad filters with problem+json naming the field', async () => {
      const severity = await sut.http().get('/v1/anomalies').query({ severity: 'huge' }).expect(400);
      expect(severity.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(severity.body.errors.map((error: { field: string }) => error.field)).toContain('severity');
      const range = await sut.http().get('/v1/anomalies').query({ from: '2026-11-28T00:00:00Z', to: '2026-11-27T00:00:00Z' }).expect(422);
      expect(range.body.errors).toEqual([{ field: 'to', message: 'must be after from' }]);
      const label = await sut.http().get('/v1/anomalies').query({ stack: 'x'.repeat(64) }).expect(400);
      expect(label.body.errors.map((error: { field: string }) => error.field)).toContain('stack');
      const time = await sut.http().get('/v1/anomalies').query({ from: 'yesterday' }).expect(400);
      expect(time.body.errors.map((error: { field: string }) => error.field)).toContain('from');
      await sut.http().get('/v1/anomalies/999999').expect(404);
      const id = await sut.http().get('/v1/anomalies/abc').expect(400);
      expect(id.body.errors.map((error: { field: string }) => error.field)).toContain('id');
    });

    it('forgets anomalies older than the retention and series silent for as long', async () => {
      const now = START + 181 * WINDOW_MS;
      const longAgo = new Date(now - 40 * 86_400_000);
      await sut.sql.query(`INSERT INTO staging.series (series_id, stack, environment, component, metric, updated_at) VALUES ('silent', 'old', 'production', 'api', 'latency_ms', $1)`, [longAgo]);
      await sut.sql.query(`INSERT INTO staging.series_points (series_id, window_end, value) VALUES ('silent', $1, 1)`, [longAgo]);
      await sut.sql.query(
        `INSERT INTO staging.anomalies (series_id, stack, environment, component, metric, at, score, severity, severity_rank, evidence)
         SELECT series_id, stack, environment, component, metric, $1, 0.6, 'medium', 2, '{}' FROM staging.series WHERE series_id = 'steady'`,
        [longAgo],
      );

      expect(await sut.app.get(RetentionService).prune(now)).toEqual({ series: 1, anomalies: 1, forecasts: 0 });

      const { rows } = await sut.sql.query<{ series_id: string }>('SELECT series_id FROM staging.anomalies');
      expect(rows.map((row) => row.series_id)).toEqual(['spiky']);
      const points = await sut.sql.query("SELECT 1 FROM staging.series_points WHERE series_id = 'silent'");
      expect(points.rowCount).toBe(0);
    });
  });

  it('pages anomalies newest first by numeric id, each once, across ids of more digits', async () => {
    // The next ids cross 999 → 1000, where text order ('999' > '1000') parts from numeric.
    await sut.sql.query(`SELECT setval(pg_get_serial_sequence('staging.anomalies', 'id'), 994)`);
    await sut.sql.query(`INSERT INTO staging.series (series_id, stack, environment, component, metric) VALUES ('paged', 'paging', 'production', 'api', 'latency_ms')`);
    await sut.sql.query(
      `INSERT INTO staging.anomalies (series_id, stack, environment, component, metric, at, score, severity, severity_rank, evidence)
       SELECT 'paged', 'paging', 'production', 'api', 'latency_ms', $1::timestamptz + g * interval '10 seconds', 0.6, 'medium', 2, '{}' FROM generate_series(1, 12) AS g`,
      [new Date(START)],
    );
    const { rows } = await sut.sql.query<{ id: string }>(`SELECT id FROM staging.anomalies WHERE stack = 'paging' ORDER BY id DESC`);
    const expected = rows.map((row) => row.id);
    expect(expected[0]!.length).toBeGreaterThan(expected[11]!.length);

    const seen = await idsPagedThrough(async (after) => (await sut.http().get('/v1/anomalies').query({ stack: 'paging', limit: 5, ...(after ? { after } : {}) }).expect(200)).body as ListPage);
    expect(seen).toEqual(expected);
  });
});
