import { MigrationInterface, QueryRunner } from 'typeorm';
import { ROLLBACK_SCHEMA } from '../rollback-schema';

const S = ROLLBACK_SCHEMA;

/** Rollback triggers (declared alone or by a Rollout), what each firing did, and the rollouts they watch. */
export class RollbackTriggers1765700000000 implements MigrationInterface {
  name = 'RollbackTriggers1765700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "${S}".rollback_triggers (
        id uuid PRIMARY KEY,
        stack text NOT NULL,
        environment text NOT NULL,
        name text NOT NULL,
        spec jsonb NOT NULL,
        source text NOT NULL CHECK (source IN ('api', 'rollout')),
        rollout text,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        last_fired_at timestamptz,
        UNIQUE (stack, environment, name)
      )`);
    await queryRunner.query(`
      CREATE TABLE "${S}".trigger_firings (
        id uuid PRIMARY KEY,
        trigger_id uuid NOT NULL REFERENCES "${S}".rollback_triggers (id) ON DELETE CASCADE,
        stack text NOT NULL,
        environment text NOT NULL,
        trigger_name text NOT NULL,
        "when" text NOT NULL,
        action text NOT NULL,
        dry_run boolean NOT NULL,
        subject text NOT NULL,
        rollout text,
        version_group text,
        evidence text NOT NULL,
        status text NOT NULL,
        outcome text NOT NULL,
        execution_id uuid,
        fired_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (trigger_id, subject)
      )`);
    await queryRunner.query(`CREATE INDEX trigger_firings_pending ON "${S}".trigger_firings (fired_at) WHERE status = 'backward-pending'`);
    await queryRunner.query(`CREATE INDEX trigger_firings_by_environment ON "${S}".trigger_firings (stack, environment, fired_at DESC)`);
    await queryRunner.query(`
      CREATE TABLE "${S}".watched_rollouts (
        stack text NOT NULL,
        rollout text NOT NULL,
        environment text NOT NULL,
        version_group text NOT NULL,
        phase text NOT NULL,
        canary_weight double precision NOT NULL,
        started_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (stack, rollout)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "${S}".watched_rollouts`);
    await queryRunner.query(`DROP TABLE "${S}".trigger_firings`);
    await queryRunner.query(`DROP TABLE "${S}".rollback_triggers`);
  }
}
