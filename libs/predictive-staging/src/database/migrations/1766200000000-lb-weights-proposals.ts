import { MigrationInterface, QueryRunner } from 'typeorm';
import { PREDICTIVE_STAGING_SCHEMA } from '../predictive-staging-schema';

const schema = PREDICTIVE_STAGING_SCHEMA;

/**
 * One lb-weights proposal per stack, environment, stack config and forecast horizon (the time of
 * its first step): the per-node forecasts of one scheduled run share that horizon and arrive one by
 * one, each refining the same proposal while it is only proposed; the index decides, so two nodes'
 * forecasts stored at once cannot make two.
 */
export class LbWeightsProposals1766200000000 implements MigrationInterface {
  name = 'LbWeightsProposals1766200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE UNIQUE INDEX proposals_lb_weights_horizon_idx ON "${schema}".proposals (stack, environment, (COALESCE(target->>'stackConfig', '')), (target->>'horizonStart'))
        WHERE kind = 'lb-weights'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "${schema}".proposals_lb_weights_horizon_idx`);
  }
}
