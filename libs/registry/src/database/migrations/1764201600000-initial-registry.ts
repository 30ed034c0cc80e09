import { createMessagingTables, dropMessagingTables } from '@strata/messaging';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { REGISTRY_SCHEMA } from '../registry-schema';

export class InitialRegistry1764201600000 implements MigrationInterface {
  name = 'InitialRegistry1764201600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "${REGISTRY_SCHEMA}".stacks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE "${REGISTRY_SCHEMA}".environments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        stack_id uuid NOT NULL REFERENCES "${REGISTRY_SCHEMA}".stacks (id) ON DELETE CASCADE,
        name text NOT NULL,
        mirrors text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT environments_stack_name UNIQUE (stack_id, name)
      )`);
    await createMessagingTables(queryRunner, REGISTRY_SCHEMA);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropMessagingTables(queryRunner, REGISTRY_SCHEMA);
    await queryRunner.query(`DROP TABLE "${REGISTRY_SCHEMA}".environments`);
    await queryRunner.query(`DROP TABLE "${REGISTRY_SCHEMA}".stacks`);
  }
}
