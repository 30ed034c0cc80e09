import { createMessagingTables, dropMessagingTables } from '@strata/messaging';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { PREDICTIVE_STAGING_SCHEMA } from '../predictive-staging-schema';

export class InitialPredictiveStaging1764201600000 implements MigrationInterface {
  name = 'InitialPredictiveStaging1764201600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createMessagingTables(queryRunner, PREDICTIVE_STAGING_SCHEMA);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropMessagingTables(queryRunner, PREDICTIVE_STAGING_SCHEMA);
  }
}
