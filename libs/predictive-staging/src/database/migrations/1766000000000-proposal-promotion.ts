import { MigrationInterface, QueryRunner } from 'typeorm';
import { PREDICTIVE_STAGING_SCHEMA } from '../predictive-staging-schema';

const schema = PREDICTIVE_STAGING_SCHEMA;

/**
 * A proposal's promotion: the version, group and execution it became (and, while it is not
 * promoted yet, the last attempt's error and the lease that keeps two attempts from running at
 * once). Kept beside the status so a retry reuses the version and group the first attempt chose.
 */
export class ProposalPromotion1766000000000 implements MigrationInterface {
  name = 'ProposalPromotion1766000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "${schema}".proposals ADD COLUMN promotion jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "${schema}".proposals DROP COLUMN promotion`);
  }
}
