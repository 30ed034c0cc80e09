import { MigrationInterface, QueryRunner } from 'typeorm';
import { ROLLBACK_SCHEMA } from '../rollback-schema';

const S = ROLLBACK_SCHEMA;

/** A deploy may move its traffic through a canary rollout (its steps kept on the execution), whose outcome the service follows. */
export class CanaryDeploys1765600000001 implements MigrationInterface {
  name = 'CanaryDeploys1765600000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "${S}".executions ADD COLUMN canary jsonb`);
    await queryRunner.query(`
      CREATE TABLE "${S}".rollout_outcomes (
        stack text NOT NULL,
        rollout text NOT NULL,
        phase text NOT NULL,
        reason text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (stack, rollout)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "${S}".rollout_outcomes`);
    await queryRunner.query(`ALTER TABLE "${S}".executions DROP COLUMN canary`);
  }
}
