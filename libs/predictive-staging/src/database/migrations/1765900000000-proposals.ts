import { MigrationInterface, QueryRunner } from 'typeorm';
import { PREDICTIVE_STAGING_SCHEMA } from '../predictive-staging-schema';

const schema = PREDICTIVE_STAGING_SCHEMA;

/**
 * Proposals (a predicted configuration change: what, why, its expected effect, what staging
 * measured, what production then showed) and every move of their lifecycle; `seq` orders
 * them for pages (newest first), `id` names them. The JSON columns
 * keep each kind's own figures; the statuses are checked here too, so no writer can invent one.
 */
export class Proposals1765900000000 implements MigrationInterface {
  name = 'Proposals1765900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "${schema}".proposals (
        id uuid PRIMARY KEY,
        seq bigserial NOT NULL UNIQUE,
        kind text NOT NULL CHECK (kind IN ('index', 'lb-weights', 'app-version')),
        stack text NOT NULL,
        environment text NOT NULL,
        component text NOT NULL,
        title text NOT NULL,
        status text NOT NULL CHECK (status IN ('proposed', 'staged', 'validated', 'promoted', 'rejected')),
        reason text NOT NULL,
        target jsonb NOT NULL,
        change jsonb NOT NULL,
        evidence jsonb NOT NULL,
        expected jsonb NOT NULL,
        staging jsonb,
        observed jsonb,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX proposals_listing_idx ON "${schema}".proposals (stack, environment, seq DESC)`);
    await queryRunner.query(`
      CREATE TABLE "${schema}".proposal_transitions (
        id bigserial PRIMARY KEY,
        proposal_id uuid NOT NULL REFERENCES "${schema}".proposals (id) ON DELETE CASCADE,
        from_status text,
        to_status text NOT NULL,
        actor text NOT NULL,
        reason text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX proposal_transitions_proposal_idx ON "${schema}".proposal_transitions (proposal_id, id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "${schema}".proposal_transitions`);
    await queryRunner.query(`DROP TABLE "${schema}".proposals`);
  }
}
