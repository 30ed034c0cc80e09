import { MigrationInterface, QueryRunner } from 'typeorm';
import { METRICS_INGEST_SCHEMA } from '../metrics-ingest-schema';

const schema = METRICS_INGEST_SCHEMA;

/** Prometheus query sources and PostgreSQL (pg_stat_statements) targets, each with its schedule and last outcome. */
export class QuerySourcesAndCollectors1764400000000 implements MigrationInterface {
  name = 'QuerySourcesAndCollectors1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Shared by both: when a row is due, which replica holds it (lease) and how its last run went.
    const schedule = `
      interval_ms integer NOT NULL CHECK (interval_ms > 0),
      next_run_at timestamptz NOT NULL DEFAULT now(),
      lease_until timestamptz,
      last_run_at timestamptz,
      last_success_at timestamptz,
      last_error text,
      last_error_at timestamptz,
      consecutive_failures integer NOT NULL DEFAULT 0,
      last_outcome jsonb,
      created_at timestamptz NOT NULL DEFAULT now()`;
    await queryRunner.query(`
      CREATE TABLE "${schema}".query_sources (
        id bigserial PRIMARY KEY,
        name text NOT NULL UNIQUE,
        base_url text NOT NULL,
        query text NOT NULL,
        metric text,
        step_ms integer NOT NULL CHECK (step_ms > 0),
        delay_ms integer NOT NULL CHECK (delay_ms >= 0),
        backfill_ms bigint NOT NULL CHECK (backfill_ms >= 0),
        defaults jsonb NOT NULL DEFAULT '{}',
        cursor_ms bigint,
        ${schedule}
      )`);
    await queryRunner.query(`
      CREATE TABLE "${schema}".postgres_targets (
        id bigserial PRIMARY KEY,
        name text NOT NULL UNIQUE,
        url text,
        url_from text,
        labels jsonb NOT NULL,
        baseline jsonb,
        ${schedule},
        CHECK ((url IS NULL) <> (url_from IS NULL))
      )`);
    await queryRunner.query(`CREATE INDEX query_sources_due ON "${schema}".query_sources (next_run_at)`);
    await queryRunner.query(`CREATE INDEX postgres_targets_due ON "${schema}".postgres_targets (next_run_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "${schema}".postgres_targets`);
    await queryRunner.query(`DROP TABLE "${schema}".query_sources`);
  }
}
