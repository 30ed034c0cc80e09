import { MigrationInterface, QueryRunner } from 'typeorm';
import { PREDICTIVE_STAGING_SCHEMA } from '../predictive-staging-schema';

const schema = PREDICTIVE_STAGING_SCHEMA;

/**
 * Deployments to an environment's staging location are kept beside production's: an app-version
 * proposal may name a newer version that ran healthy in staging. Rows kept before were production's
 * (staging deployments were not recorded).
 */
export class DeploymentLocations1766500000000 implements MigrationInterface {
  name = 'DeploymentLocations1766500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "${schema}".deployments ADD COLUMN location text NOT NULL DEFAULT 'production'`);
    await queryRunner.query(`DROP INDEX "${schema}".deployments_history_idx`);
    await queryRunner.query(`CREATE INDEX deployments_history_idx ON "${schema}".deployments (stack, environment, location, id DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "${schema}".deployments WHERE location <> 'production'`);
    await queryRunner.query(`DROP INDEX "${schema}".deployments_history_idx`);
    await queryRunner.query(`CREATE INDEX deployments_history_idx ON "${schema}".deployments (stack, environment, id DESC)`);
    await queryRunner.query(`ALTER TABLE "${schema}".deployments DROP COLUMN location`);
  }
}
