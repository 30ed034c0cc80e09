import { MigrationInterface, QueryRunner } from 'typeorm';
import { PREDICTIVE_STAGING_SCHEMA } from '../predictive-staging-schema';

const schema = PREDICTIVE_STAGING_SCHEMA;

/**
 * The node of each kept KPI window (the gateway labels its series by node): an lb-weights trial
 * compares how its copies split over the nodes with the weights it tries. Null for windows kept
 * before this column existed, and for series without a node.
 */
export class MirrorTrialNodes1766450000000 implements MigrationInterface {
  name = 'MirrorTrialNodes1766450000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "${schema}".mirror_trial_windows ADD COLUMN node text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "${schema}".mirror_trial_windows DROP COLUMN node`);
  }
}
