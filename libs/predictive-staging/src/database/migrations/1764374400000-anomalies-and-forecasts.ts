import { MigrationInterface, QueryRunner } from 'typeorm';
import { PREDICTIVE_STAGING_SCHEMA } from '../predictive-staging-schema';

const schema = PREDICTIVE_STAGING_SCHEMA;

/** Anomalies and forecasts carry their series' labels, so lists filter without a join. */
const SERIES_LABELS = `series_id text NOT NULL REFERENCES "${schema}".series (series_id) ON DELETE CASCADE,
        stack text NOT NULL,
        environment text NOT NULL,
        component text NOT NULL,
        stack_config text,
        node text,
        metric text NOT NULL`;

/**
 * Per-series detector state and bounded window history (the service's projection of
 * `kpi.windows`), the anomalies and forecasts it derives, and the LSTM models it trains.
 * Model columns that must come back bit for bit (topology, scaler, residual quantiles, config) are
 * `json`, which keeps the text as written; `jsonb` would normalise it.
 */
export class AnomaliesAndForecasts1764374400000 implements MigrationInterface {
  name = 'AnomaliesAndForecasts1764374400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "${schema}".series (
        series_id text PRIMARY KEY,
        stack text NOT NULL,
        environment text NOT NULL,
        component text NOT NULL,
        stack_config text,
        node text,
        metric text NOT NULL,
        detector_state jsonb,
        windows_seen integer NOT NULL DEFAULT 0,
        last_window_end timestamptz,
        step_ms integer,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX series_stack_environment_idx ON "${schema}".series (stack, environment, component)`);

    await queryRunner.query(`
      CREATE TABLE "${schema}".series_points (
        series_id text NOT NULL REFERENCES "${schema}".series (series_id) ON DELETE CASCADE,
        window_end timestamptz NOT NULL,
        value double precision NOT NULL,
        PRIMARY KEY (series_id, window_end)
      )`);

    await queryRunner.query(`
      CREATE TABLE "${schema}".anomalies (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        ${SERIES_LABELS},
        at timestamptz NOT NULL,
        score double precision NOT NULL,
        severity text NOT NULL,
        severity_rank smallint NOT NULL,
        evidence jsonb NOT NULL,
        detected_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT anomalies_series_at_unique UNIQUE (series_id, at)
      )`);
    await queryRunner.query(`CREATE INDEX anomalies_stack_at_idx ON "${schema}".anomalies (stack, environment, at DESC)`);
    await queryRunner.query(`CREATE INDEX anomalies_at_idx ON "${schema}".anomalies (at DESC)`);

    await queryRunner.query(`
      CREATE TABLE "${schema}".lstm_models (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        series_id text NOT NULL REFERENCES "${schema}".series (series_id) ON DELETE CASCADE,
        format text NOT NULL,
        tfjs_version text NOT NULL,
        topology json NOT NULL,
        weight_specs json NOT NULL,
        weights bytea NOT NULL,
        scaler json NOT NULL,
        residual_quantiles json NOT NULL,
        config json NOT NULL,
        validation_loss double precision NOT NULL,
        training_metrics jsonb NOT NULL,
        trained_through timestamptz NOT NULL,
        trained_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX lstm_models_series_idx ON "${schema}".lstm_models (series_id, trained_at DESC)`);

    await queryRunner.query(`
      CREATE TABLE "${schema}".forecasts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        ${SERIES_LABELS},
        made_at timestamptz NOT NULL,
        first_at timestamptz NOT NULL,
        step_ms integer NOT NULL,
        horizon integer NOT NULL,
        level double precision NOT NULL,
        period integer NOT NULL,
        history_points integer NOT NULL,
        "values" double precision[] NOT NULL,
        lower double precision[] NOT NULL,
        upper double precision[] NOT NULL,
        model_kind text NOT NULL,
        method text NOT NULL,
        reason text NOT NULL,
        explanation text NOT NULL,
        choice jsonb NOT NULL,
        backtest jsonb NOT NULL,
        lstm_model_id uuid REFERENCES "${schema}".lstm_models (id) ON DELETE SET NULL,
        lstm_error text
      )`);
    await queryRunner.query(`CREATE INDEX forecasts_series_idx ON "${schema}".forecasts (series_id, made_at DESC)`);
    await queryRunner.query(`CREATE INDEX forecasts_stack_idx ON "${schema}".forecasts (stack, environment, made_at DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['forecasts', 'lstm_models', 'anomalies', 'series_points', 'series']) {
      await queryRunner.query(`DROP TABLE IF EXISTS "${schema}".${table}`);
    }
  }
}
