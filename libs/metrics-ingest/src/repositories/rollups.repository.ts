import { Inject, Injectable } from '@nestjs/common';
import { dataSourceToken } from '@strata/persistence';
import { DataSource, EntityManager } from 'typeorm';
import { METRICS_INGEST_SCHEMA, METRICS_INGEST_SERVICE } from '../database/metrics-ingest-schema';
import { QuantileSketch } from '../domain/quantile-sketch';
import { RawSample, RollupRow } from '../domain/range-aggregation';
import { SeriesLabels } from '../domain/series-batch';

const schema = METRICS_INGEST_SCHEMA;

export type RollupTable = 'rollups_10s' | 'rollups_1m';

interface RollupDbRow {
  bucket: string;
  count: string;
  sum: number;
  min: number;
  max: number;
  sketch: QuantileSketch;
}

export interface SeriesRollupRow extends RollupRow {
  seriesId: string;
  labels: SeriesLabels;
}

const toRollup = (row: RollupDbRow): RollupRow => ({
  bucket: Number(row.bucket),
  count: Number(row.count),
  sum: row.sum,
  min: row.min,
  max: row.max,
  sketch: row.sketch,
});

/** The only code that reads samples and rollups. Times are epoch milliseconds, ranges [from, to). */
@Injectable()
export class RollupsRepository {
  constructor(@Inject(dataSourceToken(METRICS_INGEST_SERVICE)) private readonly dataSource: DataSource) {}

  async rollups(table: RollupTable, seriesId: string, from: number, to: number): Promise<RollupRow[]> {
    const rows: RollupDbRow[] = await this.dataSource.query(
      `SELECT (extract(epoch FROM bucket) * 1000)::bigint::text AS bucket, count::text AS count, sum, min, max, sketch
       FROM "${schema}".${table}
       WHERE series_id = $1 AND bucket >= to_timestamp($2 / 1000.0::float8) AND bucket < to_timestamp($3 / 1000.0::float8)
       ORDER BY "${schema}".${table}.bucket`,
      [seriesId, from, to],
    );
    return rows.map(toRollup);
  }

  /** At most `limit` samples; the caller asks for one more than it accepts to detect overflow. */
  async samples(seriesId: string, from: number, to: number, limit: number): Promise<RawSample[]> {
    const rows: Array<{ timestamp: string; value: number }> = await this.dataSource.query(
      `SELECT (extract(epoch FROM time) * 1000)::bigint::text AS timestamp, value
       FROM "${schema}".samples
       WHERE series_id = $1 AND time >= to_timestamp($2 / 1000.0::float8) AND time < to_timestamp($3 / 1000.0::float8)
       ORDER BY time LIMIT $4`,
      [seriesId, from, to, limit],
    );
    return rows.map((row) => ({ timestamp: Number(row.timestamp), value: row.value }));
  }

  /** Every series' 10-second buckets in [from, to), with its labels: the input of windows. */
  async tenSecondBuckets(manager: EntityManager, from: number, to: number): Promise<SeriesRollupRow[]> {
    const rows: Array<RollupDbRow & { series_id: string; labels: SeriesLabels }> = await manager.query(
      `SELECT r.series_id::text AS series_id, s.labels, (extract(epoch FROM r.bucket) * 1000)::bigint::text AS bucket,
              r.count::text AS count, r.sum, r.min, r.max, r.sketch
       FROM "${schema}".rollups_10s r JOIN "${schema}".series s ON s.id = r.series_id
       WHERE r.bucket >= to_timestamp($1 / 1000.0::float8) AND r.bucket < to_timestamp($2 / 1000.0::float8)
       ORDER BY r.series_id, r.bucket`,
      [from, to],
    );
    return rows.map((row) => ({ ...toRollup(row), seriesId: row.series_id, labels: row.labels }));
  }
}
