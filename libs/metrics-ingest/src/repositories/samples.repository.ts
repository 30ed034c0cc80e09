import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable } from '@nestjs/common';
import { KpiHistogram } from '@strata/contracts';
import { DomainError, DomainErrorCode } from '@strata/domain';
import { dataSourceToken } from '@strata/persistence';
import { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource, EntityManager } from 'typeorm';
import { METRICS_INGEST_SCHEMA, METRICS_INGEST_SERVICE } from '../database/metrics-ingest-schema';
import { PreparedSamples, prepareSamples, withoutPositions } from '../domain/prepared-samples';
import { StoredHistogram, histogramRollupDeltas, mergeRollupDeltas } from '../domain/histogram-rollups';
import { RollupDeltas, RollupTableName, rollupDeltas } from '../domain/rollup-deltas';
import { SamplePoint } from '../domain/series-batch';
import { pgClientOf, sqlStateOf } from './pg-connection';
import { float8ArrayParameter, int8ArrayParameter, sampleRowsBinaryCopy } from './samples-binary-copy';

const schema = METRICS_INGEST_SCHEMA;
const UNIQUE_VIOLATION = '23505';
const DEADLOCK_DETECTED = '40P01';
const BEFORE_SAMPLES = 'metrics_ingest_before_samples';
const STAGING = 'metrics_ingest_samples_staging';

export interface ResolvedBatch {
  seriesId: string;
  samples: readonly SamplePoint[];
  histograms: readonly KpiHistogram[];
}

export interface StoreOutcome {
  samplesStored: number;
  histogramsStored: number;
}

const COPY_SAMPLES = `COPY "${schema}".samples (series_id, time, value) FROM STDIN (FORMAT binary)`;

/*
 * The slow path, taken only when some samples of a write were stored before: the write goes to a
 * staging table, only the new rows move on, and the positions of the others come back so the
 * rollups leave them out. Rows are inserted in key order, as the fast path's COPY does.
 */
const CREATE_STAGING = `CREATE TEMP TABLE IF NOT EXISTS ${STAGING} (position integer, series_id bigint, time timestamptz, value double precision) ON COMMIT DELETE ROWS`;
const COPY_STAGING = `COPY pg_temp.${STAGING} (position, series_id, time, value) FROM STDIN (FORMAT binary)`;
const INSERT_NEW_FROM_STAGING = `
WITH inserted AS (
  INSERT INTO "${schema}".samples (series_id, time, value)
  SELECT series_id, time, value FROM pg_temp.${STAGING} ORDER BY series_id, time
  ON CONFLICT (series_id, time) DO NOTHING
  RETURNING series_id, time
)
SELECT s.position FROM pg_temp.${STAGING} s
WHERE NOT EXISTS (SELECT 1 FROM inserted i WHERE i.series_id = s.series_id AND i.time = s.time)`;

/*
 * Numbers go as binary arrays (samples-binary-copy.ts); sketches, JSON text, as one text split on
 * a character the JSON of a sketch never contains, rather than as text[] that the driver would
 * escape element by element.
 */
const SKETCH_SEPARATOR = '|';
const rollupParameters = (deltas: RollupDeltas): Array<Buffer | string> => [
  int8ArrayParameter(deltas.seriesIds.map(Number)),
  int8ArrayParameter(deltas.buckets),
  int8ArrayParameter(deltas.counts),
  float8ArrayParameter(deltas.sums),
  float8ArrayParameter(deltas.mins),
  float8ArrayParameter(deltas.maxs),
  deltas.sketches.join(SKETCH_SEPARATOR),
];

/*
 * Adds a write's per-bucket aggregates (computed in Node, rollup-deltas.ts) to both rollup tables.
 * The arrays are in (series_id, bucket) order and unnest keeps it, so concurrent writers lock
 * rollup rows in the same order and cannot deadlock; a bucket another write already holds waits
 * for it, then adds to what it committed.
 */
function upsertRollup(table: RollupTableName, first: number): string {
  const p = (index: number) => `$${first + index}`;
  return `INSERT INTO "${schema}".${table} AS r (series_id, bucket, count, sum, min, max, sketch)
  SELECT series_id, to_timestamp(bucket_ms / 1000.0::float8), count, sum, min, max, sketch::jsonb
  FROM unnest(${p(0)}::bigint[], ${p(1)}::bigint[], ${p(2)}::bigint[], ${p(3)}::float8[], ${p(4)}::float8[], ${p(5)}::float8[], string_to_array(${p(6)}, '${SKETCH_SEPARATOR}'))
    AS d(series_id, bucket_ms, count, sum, min, max, sketch)
  ON CONFLICT (series_id, bucket) DO UPDATE SET
    count = r.count + excluded.count, sum = r.sum + excluded.sum,
    min = least(r.min, excluded.min), max = greatest(r.max, excluded.max),
    -- adds counts per key over the new sketch's keys only
    sketch = r.sketch || coalesce((SELECT jsonb_object_agg(key, coalesce((r.sketch->>key)::bigint, 0) + value::bigint) FROM jsonb_each_text(excluded.sketch)), '{}')`;
}

const UPSERT_ROLLUPS = {
  name: 'metrics-ingest-upsert-rollups',
  text: `WITH ten_seconds AS (${upsertRollup('rollups_10s', 1)}), one_minute AS (${upsertRollup('rollups_1m', 8)}) SELECT 1`,
};

const INSERT_HISTOGRAMS = `
INSERT INTO "${schema}".histograms (series_id, time, bounds, counts, sum, count)
SELECT h.series_id, to_timestamp(h.ts_ms / 1000.0::float8), h.bounds, h.counts, h.sum, h.count
FROM jsonb_to_recordset($1::jsonb) AS h(series_id bigint, ts_ms bigint, bounds double precision[], counts bigint[], sum double precision, count bigint)
ORDER BY h.series_id, h.ts_ms
ON CONFLICT (series_id, time) DO NOTHING
RETURNING series_id::text AS series_id, (extract(epoch FROM time) * 1000)::float8 AS ts_ms`;


/** The only code that writes samples, histograms and rollups. */
@Injectable()
export class SamplesRepository {
  constructor(@Inject(dataSourceToken(METRICS_INGEST_SERVICE)) private readonly dataSource: DataSource) {}

  /**
   * Stores the batches all-or-nothing: in the caller's transaction when given one (an event
   * consumer's inbox transaction), else in a transaction of its own.
   */
  async store(batches: readonly ResolvedBatch[], manager?: EntityManager): Promise<StoreOutcome> {
    try {
      return await (manager ? this.storeIn(manager, batches) : this.dataSource.transaction((own) => this.storeIn(own, batches)));
    } catch (error) {
      // Writes lock in one key order, but a COPY spanning two day partitions inserts partition by
      // partition: two writes repeating each other across midnight can still deadlock. Retryable.
      if (sqlStateOf(error) === DEADLOCK_DETECTED) {
        throw new DomainError(DomainErrorCode.Unavailable, 'the write collided with a concurrent write of the same samples and was rolled back; retry');
      }
      throw error;
    }
  }

  private async storeIn(manager: EntityManager, batches: readonly ResolvedBatch[]): Promise<StoreOutcome> {
    const client = await pgClientOf(manager);
    const prepared = prepareSamples(batches);
    const stored = prepared.count > 0 ? await this.insertSamples(client, prepared) : prepared;
    const storedHistograms = await this.insertHistograms(client, batches);
    if (stored.count > 0 || storedHistograms.length > 0) {
      // Only what was stored now goes into the rollups: a repeated sample or histogram is not counted twice.
      const fromSamples = rollupDeltas(stored.series);
      const fromHistograms = histogramRollupDeltas(storedHistograms);
      const tenSeconds = mergeRollupDeltas(fromSamples.rollups_10s, fromHistograms.rollups_10s);
      const oneMinute = mergeRollupDeltas(fromSamples.rollups_1m, fromHistograms.rollups_1m);
      await client.query({ ...UPSERT_ROLLUPS, values: [...rollupParameters(tenSeconds), ...rollupParameters(oneMinute)] });
    }
    return { samplesStored: stored.count, histogramsStored: storedHistograms.length };
  }

  /**
   * The fast path COPYs the write straight into the samples table: nothing is staged or copied
   * twice. A sample stored before (a retry, an overlapping scrape) makes it fail as a whole; the
   * write then takes the slow path from the savepoint. Returns the samples that were new.
   */
  private async insertSamples(client: PoolClient, prepared: PreparedSamples): Promise<PreparedSamples> {
    await client.query(`SAVEPOINT ${BEFORE_SAMPLES}`);
    try {
      // pipeline() waits on the COPY stream's drain events: rows are encoded only as fast as PostgreSQL takes them.
      await pipeline(Readable.from(sampleRowsBinaryCopy(prepared, { withPosition: false })), client.query(copyFrom(COPY_SAMPLES)));
      return prepared;
    } catch (error) {
      if (sqlStateOf(error) !== UNIQUE_VIOLATION) {
        throw error;
      }
    }
    await client.query(`ROLLBACK TO SAVEPOINT ${BEFORE_SAMPLES}`);
    // Per connection, emptied at every commit or rollback: one store() per transaction, by design.
    await client.query(CREATE_STAGING);
    await pipeline(Readable.from(sampleRowsBinaryCopy(prepared, { withPosition: true })), client.query(copyFrom(COPY_STAGING)));
    const { rows } = await client.query<{ position: number }>(INSERT_NEW_FROM_STAGING);
    return withoutPositions(
      prepared,
      rows.map((row) => row.position),
    );
  }

  /** Inserts the histograms not stored before; returns those it stored. */
  private async insertHistograms(client: PoolClient, batches: readonly ResolvedBatch[]): Promise<StoredHistogram[]> {
    const received = new Map<string, StoredHistogram>();
    for (const batch of batches) {
      for (const histogram of batch.histograms) {
        // The first of a write's repeats wins, as for samples.
        const key = `${batch.seriesId}/${histogram.timestamp}`;
        if (!received.has(key)) {
          received.set(key, { seriesId: batch.seriesId, ...histogram });
        }
      }
    }
    if (received.size === 0) {
      return [];
    }
    const rows = [...received.values()].map((histogram) => ({
      series_id: histogram.seriesId,
      ts_ms: histogram.timestamp,
      bounds: histogram.bounds.map((bound) => bound ?? 'Infinity'),
      counts: histogram.counts,
      sum: histogram.sum,
      count: histogram.count,
    }));
    const result = await client.query<{ series_id: string; ts_ms: number }>(INSERT_HISTOGRAMS, [JSON.stringify(rows)]);
    return result.rows.flatMap((row) => received.get(`${row.series_id}/${Math.round(Number(row.ts_ms))}`) ?? []);
  }
}
