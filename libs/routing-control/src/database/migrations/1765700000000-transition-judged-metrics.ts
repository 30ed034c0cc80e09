import { MigrationInterface, QueryRunner } from 'typeorm';
import { ROUTING_CONTROL_SCHEMA as S } from '../routing-control-schema';

/**
 * The statistical judge's metrics on the transition an analysis caused: each metric's always-valid
 * p-value, the level a fail needs it under, and whether it regressed. Null on every other transition
 * and on those recorded before.
 */
export class TransitionJudgedMetrics1765700000000 implements MigrationInterface {
  name = 'TransitionJudgedMetrics1765700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "${S}".rollout_transitions ADD COLUMN judged_metrics jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "${S}".rollout_transitions DROP COLUMN judged_metrics`);
  }
}
