import { MigrationInterface, QueryRunner } from 'typeorm';
import { ROUTING_CONTROL_SCHEMA } from '../routing-control-schema';

const S = ROUTING_CONTROL_SCHEMA;

/**
 * Nodes as the registry announces them (`io.strata.registry.node.changed.v1`), and which stack
 * configs of each policy version take their nodes from them rather than from the policy.
 */
export class DiscoveredNodes1765152000000 implements MigrationInterface {
  name = 'DiscoveredNodes1765152000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "${S}".nodes (
        stack text NOT NULL,
        environment text NOT NULL,
        location text NOT NULL,
        component text NOT NULL,
        address text NOT NULL,
        url text NOT NULL,
        discovered_version text,
        health text NOT NULL,
        observed_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (stack, environment, location, component, address)
      )`);
    await queryRunner.query(`
      CREATE TABLE "${S}".policy_discovered_stack_configs (
        stack text NOT NULL,
        environment text NOT NULL,
        version integer NOT NULL,
        stack_configs jsonb NOT NULL,
        PRIMARY KEY (stack, environment, version),
        FOREIGN KEY (stack, environment, version) REFERENCES "${S}".routing_policies (stack, environment, version) ON DELETE CASCADE
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "${S}".policy_discovered_stack_configs`);
    await queryRunner.query(`DROP TABLE "${S}".nodes`);
  }
}
