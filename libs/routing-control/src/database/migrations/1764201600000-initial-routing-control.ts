import { createMessagingTables, dropMessagingTables } from '@strata/messaging';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { ROUTING_CONTROL_SCHEMA } from '../routing-control-schema';

export class InitialRoutingControl1764201600000 implements MigrationInterface {
  name = 'InitialRoutingControl1764201600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "${ROUTING_CONTROL_SCHEMA}".known_stacks (
        name text PRIMARY KEY,
        environments jsonb NOT NULL,
        applied_events integer NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await createMessagingTables(queryRunner, ROUTING_CONTROL_SCHEMA);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropMessagingTables(queryRunner, ROUTING_CONTROL_SCHEMA);
    await queryRunner.query(`DROP TABLE "${ROUTING_CONTROL_SCHEMA}".known_stacks`);
  }
}
