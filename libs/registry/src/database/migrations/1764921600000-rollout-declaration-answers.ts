import { MigrationInterface, QueryRunner } from 'typeorm';
import { REGISTRY_SCHEMA as S } from '../registry-schema';

/**
 * routing-control's answer to each declared Rollout, so `POST /v1/apply` can report it. Rows
 * declared before this migration stay pending: nobody recorded their answer, and applying their
 * manifest again declares them again.
 */
export class RolloutDeclarationAnswers1764921600000 implements MigrationInterface {
  name = 'RolloutDeclarationAnswers1764921600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "${S}".declared_rollouts
        ADD COLUMN status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'started', 'refused')),
        ADD COLUMN refusal text CHECK (refusal IN ('invalid', 'conflict', 'precondition-failed', 'not-found')),
        ADD COLUMN reason text,
        ADD COLUMN violations jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN rollout_id uuid,
        ADD COLUMN phase text,
        ADD COLUMN answered_at timestamptz`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "${S}".declared_rollouts
        DROP COLUMN answered_at, DROP COLUMN phase, DROP COLUMN rollout_id, DROP COLUMN violations,
        DROP COLUMN reason, DROP COLUMN refusal, DROP COLUMN status`);
  }
}
