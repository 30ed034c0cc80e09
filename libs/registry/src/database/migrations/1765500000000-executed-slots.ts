import { MigrationInterface, QueryRunner } from 'typeorm';
import { REGISTRY_SCHEMA } from '../registry-schema';

const S = REGISTRY_SCHEMA;

/**
 * Slots of the version map say how they got there: `execution_id` names the rollback service's
 * execution that applied them (null: recorded for another tool); `deployed` is the status a
 * member reaches when its step succeeded, before health checks judge it.
 */
export class ExecutedSlots1765500000000 implements MigrationInterface {
  name = 'ExecutedSlots1765500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "${S}".deployments ADD COLUMN execution_id uuid`);
    await queryRunner.query(`ALTER TABLE "${S}".deployments DROP CONSTRAINT IF EXISTS deployments_status_check`);
    await queryRunner.query(`ALTER TABLE "${S}".deployments ADD CONSTRAINT deployments_status_check CHECK (status IN ('deploying', 'deployed', 'healthy', 'degraded', 'failed', 'rolled-back'))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "${S}".deployments DROP CONSTRAINT deployments_status_check`);
    await queryRunner.query(`ALTER TABLE "${S}".deployments ADD CONSTRAINT deployments_status_check CHECK (status IN ('deploying', 'healthy', 'degraded', 'failed', 'rolled-back'))`);
    await queryRunner.query(`ALTER TABLE "${S}".deployments DROP COLUMN execution_id`);
  }
}
