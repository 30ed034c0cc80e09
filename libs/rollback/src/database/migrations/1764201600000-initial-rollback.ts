import { createMessagingTables, dropMessagingTables } from '@strata/messaging';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { ROLLBACK_SCHEMA } from '../rollback-schema';

export class InitialRollback1764201600000 implements MigrationInterface {
  name = 'InitialRollback1764201600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createMessagingTables(queryRunner, ROLLBACK_SCHEMA);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropMessagingTables(queryRunner, ROLLBACK_SCHEMA);
  }
}
