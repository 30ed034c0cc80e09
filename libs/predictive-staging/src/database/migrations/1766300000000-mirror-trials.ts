import { MigrationInterface, QueryRunner } from 'typeorm';
import { PREDICTIVE_STAGING_SCHEMA } from '../predictive-staging-schema';

const schema = PREDICTIVE_STAGING_SCHEMA;

/**
 * Mirrored trials of proposals and the KPI windows each one judged. A routing policy has one
 * mirror, so one trial runs per stack and environment at a time (the partial unique index decides
 * between two requests). The windows are predictive-staging's own projection of `kpi.windows`,
 * kept only for a running trial's two stack configs (the stable one's requests, the staging one's
 * mirrored copies): metrics-ingest's query API has no latency histograms, which the judge needs.
 */
export class MirrorTrials1766300000000 implements MigrationInterface {
  name = 'MirrorTrials1766300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "${schema}".mirror_trials (
        id uuid PRIMARY KEY,
        proposal_id uuid NOT NULL REFERENCES "${schema}".proposals (id) ON DELETE CASCADE,
        stack text NOT NULL,
        environment text NOT NULL,
        stack_config text NOT NULL,
        stable_config text,
        sample_rate double precision NOT NULL,
        status text NOT NULL CHECK (status IN ('running', 'judged', 'failed')),
        started_at timestamptz,
        ends_at timestamptz,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX mirror_trials_running_idx ON "${schema}".mirror_trials (stack, environment) WHERE status = 'running'`);
    await queryRunner.query(`CREATE INDEX mirror_trials_proposal_idx ON "${schema}".mirror_trials (proposal_id)`);
    await queryRunner.query(`
      CREATE TABLE "${schema}".mirror_trial_windows (
        trial_id uuid NOT NULL REFERENCES "${schema}".mirror_trials (id) ON DELETE CASCADE,
        side text NOT NULL CHECK (side IN ('production', 'mirror')),
        series_id text NOT NULL,
        metric text NOT NULL,
        window_start timestamptz NOT NULL,
        window_end timestamptz NOT NULL,
        sum double precision NOT NULL,
        histogram jsonb,
        PRIMARY KEY (trial_id, series_id, window_start)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "${schema}".mirror_trial_windows`);
    await queryRunner.query(`DROP TABLE "${schema}".mirror_trials`);
  }
}
