import { MigrationInterface, QueryRunner } from 'typeorm';
import { ROLLBACK_SCHEMA } from '../rollback-schema';

const S = ROLLBACK_SCHEMA;

/**
 * Executions and their steps (the saga across layers), and the projections the planner reads:
 * component versions and groups of the registry, what is deployed per environment, nodes, and the
 * answers of routing-control to routing requests.
 */
export class Executions1765500000000 implements MigrationInterface {
  name = 'Executions1765500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "${S}".executions (
        id uuid PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('deploy', 'rollback')),
        stack text NOT NULL,
        environment text NOT NULL,
        version_group text NOT NULL,
        from_version_group text,
        status text NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'abandoned')),
        reason text,
        actor text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One execution at a time per stack and environment: a failed one holds the slot until retried or abandoned.
    await queryRunner.query(`CREATE UNIQUE INDEX executions_one_active ON "${S}".executions (stack, environment) WHERE status IN ('pending', 'running', 'failed')`);
    await queryRunner.query(`CREATE INDEX executions_by_time ON "${S}".executions (created_at DESC, id DESC)`);
    await queryRunner.query(`
      CREATE TABLE "${S}".execution_steps (
        execution_id uuid NOT NULL REFERENCES "${S}".executions (id) ON DELETE CASCADE,
        index integer NOT NULL,
        action text NOT NULL CHECK (action IN ('apply', 'revert', 'traffic')),
        component text NOT NULL,
        type text NOT NULL,
        from_version text,
        to_version text,
        status text NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed')),
        idempotency_key text NOT NULL UNIQUE,
        error text,
        detail jsonb NOT NULL DEFAULT '{}',
        started_at timestamptz,
        finished_at timestamptz,
        PRIMARY KEY (execution_id, index)
      )`);
    await queryRunner.query(`
      CREATE TABLE "${S}".component_versions (
        stack text NOT NULL,
        component text NOT NULL,
        version text NOT NULL,
        type text NOT NULL,
        dependencies jsonb NOT NULL,
        config jsonb NOT NULL,
        spec jsonb NOT NULL,
        rollback jsonb NOT NULL,
        health_check jsonb,
        target jsonb NOT NULL,
        PRIMARY KEY (stack, component, version)
      )`);
    await queryRunner.query(`
      CREATE TABLE "${S}".version_groups (
        stack text NOT NULL,
        name text NOT NULL,
        members jsonb NOT NULL,
        PRIMARY KEY (stack, name)
      )`);
    await queryRunner.query(`
      CREATE TABLE "${S}".deployed_components (
        stack text NOT NULL,
        environment text NOT NULL,
        component text NOT NULL,
        version text NOT NULL,
        type text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (stack, environment, component)
      )`);
    await queryRunner.query(`
      CREATE TABLE "${S}".group_history (
        id bigserial PRIMARY KEY,
        stack text NOT NULL,
        environment text NOT NULL,
        version_group text NOT NULL,
        execution_id uuid,
        deployed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX group_history_latest ON "${S}".group_history (stack, environment, id DESC)`);
    await queryRunner.query(`
      CREATE TABLE "${S}".nodes (
        stack text NOT NULL,
        environment text NOT NULL,
        component text NOT NULL,
        address text NOT NULL,
        discovered_version text,
        health text NOT NULL,
        observed_at bigint NOT NULL,
        PRIMARY KEY (stack, environment, component, address)
      )`);
    await queryRunner.query(`
      CREATE TABLE "${S}".routing_answers (
        request_id text PRIMARY KEY,
        version integer,
        outcome text NOT NULL,
        gateways integer NOT NULL,
        reason text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['routing_answers', 'nodes', 'group_history', 'deployed_components', 'version_groups', 'component_versions', 'execution_steps', 'executions']) {
      await queryRunner.query(`DROP TABLE "${S}".${table}`);
    }
  }
}
