import { MigrationInterface, QueryRunner } from 'typeorm';
import { PREDICTIVE_STAGING_SCHEMA } from '../predictive-staging-schema';

const schema = PREDICTIVE_STAGING_SCHEMA;

/**
 * What predictive-staging learns from the registry's events to propose app versions (it never
 * reads the registry's schema): each component's type, and every version group deployed to an
 * environment's production, in the order deployed. One open app-version proposal per stack,
 * environment and running group is enforced here, so two anomalies handled at once (their series
 * are on different partitions) cannot make two.
 */
export class DeploymentHistory1766100000000 implements MigrationInterface {
  name = 'DeploymentHistory1766100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "${schema}".known_components (
        stack text NOT NULL,
        component text NOT NULL,
        type text NOT NULL,
        PRIMARY KEY (stack, component)
      )`);
    await queryRunner.query(`
      CREATE TABLE "${schema}".deployments (
        id bigserial PRIMARY KEY,
        stack text NOT NULL,
        environment text NOT NULL,
        version_group text NOT NULL,
        members jsonb NOT NULL,
        deployed_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX deployments_history_idx ON "${schema}".deployments (stack, environment, id DESC)`);
    await queryRunner.query(`
      CREATE UNIQUE INDEX proposals_open_app_version_idx ON "${schema}".proposals (stack, environment, (target->>'runningGroup'))
        WHERE kind = 'app-version' AND status IN ('proposed', 'staged', 'validated')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "${schema}".proposals_open_app_version_idx`);
    await queryRunner.query(`DROP TABLE "${schema}".deployments`);
    await queryRunner.query(`DROP TABLE "${schema}".known_components`);
  }
}
