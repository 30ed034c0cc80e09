import { MigrationInterface, QueryRunner } from 'typeorm';
import { ROLLBACK_SCHEMA } from '../rollback-schema';

const S = ROLLBACK_SCHEMA;

/**
 * The environments of each stack, so an execution is refused for an environment the registry never
 * had. Not seeded: stacks created before it have no rows here, and their executions are not
 * checked (as before), rather than refused for an environment announced before this table existed.
 */
export class CatalogEnvironments1765800000000 implements MigrationInterface {
  name = 'CatalogEnvironments1765800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "${S}".environments (stack text NOT NULL, name text NOT NULL, PRIMARY KEY (stack, name))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "${S}".environments`);
  }
}
