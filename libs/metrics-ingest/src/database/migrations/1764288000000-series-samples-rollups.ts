import { MigrationInterface, QueryRunner } from 'typeorm';
import { BUCKETS_PER_DOUBLING } from '../../domain/quantile-sketch';
import { METRICS_INGEST_SCHEMA } from '../metrics-ingest-schema';

const schema = METRICS_INGEST_SCHEMA;
// 1 / ln 2 × buckets per doubling: ceil(ln|v| × this) is the sketch index of v (see quantile-sketch.ts).
const SKETCH_SCALE = BUCKETS_PER_DOUBLING / Math.LN2;

/** SQL helpers of the first rollup statement; dropped since rollups are computed in Node (1764500000000). */
export const CREATE_SKETCH_KEY = `
      CREATE FUNCTION "${schema}".sketch_key(value double precision) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        -- Inlined into the rollup statement (it runs once per sample): that needs no STRICT and only
        -- immutable parts, hence ::text rather than the stable anynonarray || text operator.
        SELECT CASE
          WHEN value = 0 THEN 'z'
          WHEN value > 0 THEN 'p' || ceil(ln(value) * ${SKETCH_SCALE})::bigint::text
          ELSE 'n' || ceil(ln(-value) * ${SKETCH_SCALE})::bigint::text
        END
      $$`;

export const CREATE_MERGE_SKETCHES = `
      CREATE FUNCTION "${schema}".merge_sketches(a jsonb, b jsonb) RETURNS jsonb
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT coalesce(jsonb_object_agg(key, total), '{}'::jsonb)
        FROM (
          SELECT key, sum(value::bigint) AS total
          FROM (SELECT * FROM jsonb_each_text(a) UNION ALL SELECT * FROM jsonb_each_text(b)) AS entries
          GROUP BY key
        ) AS merged
      $$`;

/**
 * Series identity, samples and histograms partitioned by day, 10 s and 1 min rollups partitioned
 * by day. Partitions are created by the maintenance job (and on demand by intake), never here,
 * because they depend on the clock.
 */
export class SeriesSamplesRollups1764288000000 implements MigrationInterface {
  name = 'SeriesSamplesRollups1764288000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "${schema}".series (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        labels jsonb NOT NULL,
        stack text NOT NULL,
        environment text NOT NULL,
        component text NOT NULL,
        stack_config text,
        node text,
        metric text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT series_labels_unique UNIQUE (labels)
      )`);
    await queryRunner.query(`CREATE INDEX series_stack_environment_metric_idx ON "${schema}".series (stack, environment, metric)`);
    await queryRunner.query(`CREATE INDEX series_labels_idx ON "${schema}".series USING gin (labels jsonb_path_ops)`);

    await queryRunner.query(`
      CREATE TABLE "${schema}".samples (
        series_id bigint NOT NULL,
        time timestamptz NOT NULL,
        value double precision NOT NULL,
        PRIMARY KEY (series_id, time)
      ) PARTITION BY RANGE (time)`);
    await queryRunner.query(`
      CREATE TABLE "${schema}".histograms (
        series_id bigint NOT NULL,
        time timestamptz NOT NULL,
        bounds double precision[] NOT NULL,
        counts bigint[] NOT NULL,
        sum double precision NOT NULL,
        count bigint NOT NULL,
        PRIMARY KEY (series_id, time)
      ) PARTITION BY RANGE (time)`);
    for (const rollup of ['rollups_10s', 'rollups_1m']) {
      await queryRunner.query(`
        CREATE TABLE "${schema}".${rollup} (
          series_id bigint NOT NULL,
          bucket timestamptz NOT NULL,
          count bigint NOT NULL,
          sum double precision NOT NULL,
          min double precision NOT NULL,
          max double precision NOT NULL,
          sketch jsonb NOT NULL,
          PRIMARY KEY (series_id, bucket)
        ) PARTITION BY RANGE (bucket)`);
    }
    await queryRunner.query(`
      CREATE TABLE "${schema}".window_cursor (
        name text PRIMARY KEY,
        window_end timestamptz NOT NULL
      )`);

    await queryRunner.query(CREATE_SKETCH_KEY);
    await queryRunner.query(CREATE_MERGE_SKETCHES);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION "${schema}".merge_sketches(jsonb, jsonb)`);
    await queryRunner.query(`DROP FUNCTION "${schema}".sketch_key(double precision)`);
    for (const table of ['window_cursor', 'rollups_1m', 'rollups_10s', 'histograms', 'samples', 'series']) {
      await queryRunner.query(`DROP TABLE "${schema}".${table}`);
    }
  }
}
