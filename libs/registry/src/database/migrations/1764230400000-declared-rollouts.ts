import { MigrationInterface, QueryRunner } from 'typeorm';
import { REGISTRY_SCHEMA as S } from '../registry-schema';

/** Rollout manifests applied through the registry, kept for routing-control (which runs them). */
export class DeclaredRollouts1764230400000 implements MigrationInterface {
  name = 'DeclaredRollouts1764230400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "${S}".declared_rollouts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        stack_id uuid NOT NULL REFERENCES "${S}".stacks (id) ON DELETE CASCADE,
        name text NOT NULL,
        spec jsonb NOT NULL,
        checksum text NOT NULL,
        declared_by text NOT NULL,
        declared_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT declared_rollouts_unique UNIQUE (stack_id, name)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "${S}".declared_rollouts`);
  }
}
