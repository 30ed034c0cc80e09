import { MigrationInterface, QueryRunner } from 'typeorm';
import { ROUTING_CONTROL_SCHEMA } from '../routing-control-schema';

const S = ROUTING_CONTROL_SCHEMA;

/**
 * The routing layers executions deployed per stack and environment (traffic group, lb-rule,
 * network policy), the requests of execution steps with the policy version each produced, and
 * where each part of a policy version came from.
 */
export class RoutingLayers1765500000000 implements MigrationInterface {
  name = 'RoutingLayers1765500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "${S}".routing_layers (
        stack text NOT NULL,
        environment text NOT NULL,
        layers jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (stack, environment)
      )`);
    await queryRunner.query(`
      CREATE TABLE "${S}".layer_requests (
        request_id text PRIMARY KEY,
        stack text NOT NULL,
        environment text NOT NULL,
        policy_version integer,
        status text NOT NULL CHECK (status IN ('pending', 'applied', 'rejected')),
        reason text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX layer_requests_pending ON "${S}".layer_requests (stack, environment) WHERE status = 'pending'`);
    await queryRunner.query(`ALTER TABLE "${S}".routing_policies ADD COLUMN sources jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "${S}".routing_policies DROP COLUMN sources`);
    await queryRunner.query(`DROP TABLE "${S}".layer_requests`);
    await queryRunner.query(`DROP TABLE "${S}".routing_layers`);
  }
}
