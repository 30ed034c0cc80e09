import { MigrationInterface, QueryRunner } from 'typeorm';
import { ROUTING_CONTROL_SCHEMA } from '../routing-control-schema';

const S = ROUTING_CONTROL_SCHEMA;

/**
 * What the canary judge and rollback triggers need: each latency window's request histogram (the
 * judge compares requests, not one mean per window), a rollout's triggers, and the stable config
 * it started from (what an undone promotion goes back to), and which stack configs each gateway
 * has no available node for (weight is not moved onto those).
 */
export class RolloutAnalysisAndTriggers1765000000000 implements MigrationInterface {
  name = 'RolloutAnalysisAndTriggers1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "${S}".kpi_windows ADD COLUMN histogram jsonb`);
    await queryRunner.query(`ALTER TABLE "${S}".rollouts ADD COLUMN rollback_triggers jsonb NOT NULL DEFAULT '[]'`);
    await queryRunner.query(`ALTER TABLE "${S}".rollouts ADD COLUMN baseline_config text`);
    // Undo looks for the rollout promoted last in a stack and environment.
    await queryRunner.query(`CREATE INDEX rollouts_by_scope ON "${S}".rollouts (stack, environment, updated_at)`);
    // Each gateway's last report of the stack configs it has no available node for.
    await queryRunner.query(`
      CREATE TABLE "${S}".gateway_availability (
        stack text NOT NULL,
        environment text NOT NULL,
        gateway_id text NOT NULL,
        mode text NOT NULL,
        unavailable_configs jsonb NOT NULL,
        policy_version integer NOT NULL,
        reported_at timestamptz NOT NULL,
        PRIMARY KEY (stack, environment, gateway_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "${S}".gateway_availability`);
    await queryRunner.query(`DROP INDEX "${S}".rollouts_by_scope`);
    await queryRunner.query(`ALTER TABLE "${S}".rollouts DROP COLUMN baseline_config`);
    await queryRunner.query(`ALTER TABLE "${S}".rollouts DROP COLUMN rollback_triggers`);
    await queryRunner.query(`ALTER TABLE "${S}".kpi_windows DROP COLUMN histogram`);
  }
}
