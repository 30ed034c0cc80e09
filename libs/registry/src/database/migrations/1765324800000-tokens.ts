import { MigrationInterface, QueryRunner } from 'typeorm';
import { REGISTRY_SCHEMA as S } from '../registry-schema';

/**
 * Bearer tokens: the registry owns them (and /v1/tokens); other services learn them from
 * `token.changed` events. Only the SHA-256 of a secret is kept; the secret is shown once.
 */
export class Tokens1765324800000 implements MigrationInterface {
  name = 'Tokens1765324800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "${S}".tokens (
        id uuid PRIMARY KEY,
        principal text NOT NULL,
        role text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
        token_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        expires_at timestamptz,
        revoked_at timestamptz,
        revoked_by text,
        last_used_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX tokens_created ON "${S}".tokens (created_at, id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "${S}".tokens`);
  }
}
