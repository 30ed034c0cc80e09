import { MigrationInterface, QueryRunner } from 'typeorm';
import { REGISTRY_SCHEMA } from '../registry-schema';

const S = REGISTRY_SCHEMA;

/**
 * A slot an execution claims when it starts (`deploying`) remembers what it held, so an execution
 * that fails or is abandoned before reaching it puts it back: the version map never shows a
 * version that was not applied.
 */
export class SlotClaims1765900000000 implements MigrationInterface {
  name = 'SlotClaims1765900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "${S}".deployments ADD COLUMN before_claim jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "${S}".deployments DROP COLUMN before_claim`);
  }
}
