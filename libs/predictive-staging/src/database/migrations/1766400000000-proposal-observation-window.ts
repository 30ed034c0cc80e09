import { MigrationInterface, QueryRunner } from 'typeorm';
import { PREDICTIVE_STAGING_SCHEMA } from '../predictive-staging-schema';

const schema = PREDICTIVE_STAGING_SCHEMA;

/**
 * Promoted proposals whose effect over the window after the promotion is not observed yet: the
 * observation pass looks for them every interval, so they are indexed apart from the many that are
 * done (a promoted proposal leaves this index once `observed.window` is kept).
 */
export class ProposalObservationWindow1766400000000 implements MigrationInterface {
  name = 'ProposalObservationWindow1766400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX proposals_unobserved_idx ON "${schema}".proposals (id) WHERE status = 'promoted' AND NOT (COALESCE(observed, '{}'::jsonb) ? 'window')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "${schema}".proposals_unobserved_idx`);
  }
}
