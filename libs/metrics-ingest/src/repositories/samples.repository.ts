import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable } from '@nestjs/common';
import { KpiHistogram } from '@strata/contracts';
import { dataSourceToken } from '@strata/persistence';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource, EntityManager } from 'typeorm';
import { METRICS_INGEST_SCHEMA, METRICS_INGEST_SERVICE } from '../database/metrics-ingest-schema';
import { SamplePoint } from '../domain/series-batch';
import { pgClientOf } from './pg-connection';

const schema = METRICS_INGEST_SCHEMA;
const STAGING = 'metrics_ingest_staging_samples';
/** Large enough to amortise stream overhead, small enough to keep memory flat under backpressure. */
const COPY_CHUNK_CHARS = 256 * 1024;

export interface ResolvedBatch {
  seriesId: string;
  samples: readonly SamplePoint[];
  histograms: readonly KpiHistogram[];
}

export interface StoreOutcome {
  samplesStored: number;
  histogramsStored: number;
}

function* copyText(batches: readonly ResolvedBatch[]): Generator<string> {
  let chunk = '';
  for (const batch of batches) {
    const prefix = `${batch.seriesId}\t`;
    for (const sample of batch.samples) {
      chunk += `${prefix}${sample.timestamp}\t${sample.value}\n`;
      if (chunk.length >= COPY_CHUNK_CHARS) {
        yield chunk;
        chunk = '';
      }
    }
  }
  if (chunk.length > 0) {
    yield chunk;
  }
}

/*
 * One statement moves the staged rows into the partitioned table and folds exactly the rows that
 * were new (RETURNING skips duplicates) into both rollups. Rollup rows are upserted in key order
 * so concurrent batches lock them in the same order and cannot deadlock.
 */
const MOVE_AND_ROLL_UP = `
WITH inserted AS (
  INSERT INTO "${schema}".samples (series_id, time, value)
  SELECT series_id, to_timestamp(ts_ms / 1000.0::float8), value FROM pg_temp.${STAGING}
  ON CONFLICT (series_id, time) DO NOTHING
  RETURNING series_id, time, value
), by_key_10s AS (
  SELECT series_id, date_bin('10 seconds', time, 'epoch') AS bucket, "${schema}".sketch_key(value) AS sketch_key,
         count(*) AS count, sum(value) AS sum, min(value) AS min, max(value) AS max
  FROM inserted GROUP BY 1, 2, 3
), rollup_10s AS (
  INSERT INTO "${schema}".rollups_10s AS r (series_id, bucket, count, sum, min, max, sketch)
  SELECT series_id, bucket, sum(count), sum(sum), min(min), max(max), jsonb_object_agg(sketch_key, count)
  FROM by_key_10s GROUP BY series_id, bucket ORDER BY series_id, bucket
  ON CONFLICT (series_id, bucket) DO UPDATE SET
    count = r.count + excluded.count, sum = r.sum + excluded.sum,
    min = least(r.min, excluded.min), max = greatest(r.max, excluded.max),
    sketch = "${schema}".merge_sketches(r.sketch, excluded.sketch)
  RETURNING 1
), by_key_1m AS (
  SELECT series_id, date_trunc('minute', bucket) AS bucket, sketch_key, sum(count) AS count, sum(sum) AS sum, min(min) AS min, max(max) AS max
  FROM by_key_10s GROUP BY 1, 2, 3
), rollup_1m AS (
  INSERT INTO "${schema}".rollups_1m AS r (series_id, bucket, count, sum, min, max, sketch)
  SELECT series_id, bucket, sum(count), sum(sum), min(min), max(max), jsonb_object_agg(sketch_key, count)
  FROM by_key_1m GROUP BY series_id, bucket ORDER BY series_id, bucket
  ON CONFLICT (series_id, bucket) DO UPDATE SET
    count = r.count + excluded.count, sum = r.sum + excluded.sum,
    min = least(r.min, excluded.min), max = greatest(r.max, excluded.max),
    sketch = "${schema}".merge_sketches(r.sketch, excluded.sketch)
  RETURNING 1
)
SELECT (SELECT count(*) FROM inserted)::int AS inserted, (SELECT count(*) FROM rollup_10s)::int AS r10, (SELECT count(*) FROM rollup_1m)::int AS r60`;

const INSERT_HISTOGRAMS = `
INSERT INTO "${schema}".histograms (series_id, time, bounds, counts, sum, count)
SELECT h.series_id, to_timestamp(h.ts_ms / 1000.0::float8), h.bounds, h.counts, h.sum, h.count
FROM jsonb_to_recordset($1::jsonb) AS h(series_id bigint, ts_ms bigint, bounds double precision[], counts bigint[], sum double precision, count bigint)
ON CONFLICT (series_id, time) DO NOTHING`;

/** The only code that writes samples, histograms and rollups. */
@Injectable()
export class SamplesRepository {
  constructor(@Inject(dataSourceToken(METRICS_INGEST_SERVICE)) private readonly dataSource: DataSource) {}

  /**
   * Stores the batches all-or-nothing: in the caller's transaction when given one (an event
   * consumer's inbox transaction), else in a transaction of its own.
   */
  store(batches: readonly ResolvedBatch[], manager?: EntityManager): Promise<StoreOutcome> {
    return manager ? this.storeIn(manager, batches) : this.dataSource.transaction((own) => this.storeIn(own, batches));
  }

  private async storeIn(manager: EntityManager, batches: readonly ResolvedBatch[]): Promise<StoreOutcome> {
    const client = await pgClientOf(manager);
    let samplesStored = 0;
    if (batches.some((batch) => batch.samples.length > 0)) {
      // Per connection, emptied at every commit or rollback: one store() per transaction, by design.
      await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${STAGING} (series_id bigint, ts_ms bigint, value double precision) ON COMMIT DELETE ROWS`);
      // pipeline() waits on the COPY stream's drain events: the generator only runs as fast as PostgreSQL takes rows.
      await pipeline(Readable.from(copyText(batches)), client.query(copyFrom(`COPY pg_temp.${STAGING} (series_id, ts_ms, value) FROM STDIN`)));
      const result = await client.query<{ inserted: number }>(MOVE_AND_ROLL_UP);
      samplesStored = result.rows[0]?.inserted ?? 0;
    }
    const histograms = batches.flatMap((batch) =>
      batch.histograms.map((histogram) => ({
        series_id: batch.seriesId,
        ts_ms: histogram.timestamp,
        bounds: histogram.bounds.map((bound) => bound ?? 'Infinity'),
        counts: histogram.counts,
        sum: histogram.sum,
        count: histogram.count,
      })),
    );
    let histogramsStored = 0;
    if (histograms.length > 0) {
      const result = await client.query(INSERT_HISTOGRAMS, [JSON.stringify(histograms)]);
      histogramsStored = result.rowCount ?? 0;
    }
    return { samplesStored, histogramsStored };
  }
}
