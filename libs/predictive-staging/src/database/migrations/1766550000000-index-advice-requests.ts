import { MigrationInterface, QueryRunner } from 'typeorm';
import { PREDICTIVE_STAGING_SCHEMA } from '../predictive-staging-schema';

const schema = PREDICTIVE_STAGING_SCHEMA;

/**
 * Index proposals made from anomalies: a db-schema component's target (the variable naming its
 * database URL, as its registered version says; never the URL), and the advice requests a
 * regression of its statement times leaves for the advisor's periodic pass (one pending per
 * component; later anomalies join it).
 */
export class IndexAdviceRequests1766550000000 implements MigrationInterface {
  name = 'IndexAdviceRequests1766550000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "${schema}".known_components ADD COLUMN database_url_from text`);
    await queryRunner.query(`
      CREATE TABLE "${schema}".index_advice_requests (
        id bigserial PRIMARY KEY,
        stack text NOT NULL,
        environment text NOT NULL,
        component text NOT NULL,
        anomalies jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
        outcome jsonb,
        requested_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX index_advice_requests_pending_idx ON "${schema}".index_advice_requests (stack, environment, component) WHERE status = 'pending'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "${schema}".index_advice_requests`);
    await queryRunner.query(`ALTER TABLE "${schema}".known_components DROP COLUMN database_url_from`);
  }
}
