import { MigrationInterface, QueryRunner } from 'typeorm';
import { ROUTING_CONTROL_SCHEMA } from '../routing-control-schema';

const S = ROUTING_CONTROL_SCHEMA;

export class PoliciesAndRollouts1764288000000 implements MigrationInterface {
  name = 'PoliciesAndRollouts1764288000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "${S}".version_groups (
        stack text NOT NULL,
        name text NOT NULL,
        members jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (stack, name)
      )`);
    await queryRunner.query(`
      CREATE TABLE "${S}".group_deployments (
        stack text NOT NULL,
        environment text NOT NULL,
        location text NOT NULL,
        version_group text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (stack, environment, location, version_group)
      )`);
    await queryRunner.query(`
      CREATE TABLE "${S}".routing_policies (
        stack text NOT NULL,
        environment text NOT NULL,
        version integer NOT NULL,
        config jsonb NOT NULL,
        reason text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (stack, environment, version)
      )`);
    await queryRunner.query(`
      CREATE TABLE "${S}".gateway_status (
        gateway_id text NOT NULL,
        stack text NOT NULL,
        environment text NOT NULL,
        applied_version integer,
        rejected_version integer,
        rejection_reason text,
        violations jsonb NOT NULL DEFAULT '[]',
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (stack, environment, gateway_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE "${S}".rollouts (
        id uuid PRIMARY KEY,
        stack text NOT NULL,
        name text NOT NULL,
        environment text NOT NULL,
        version_group text NOT NULL,
        steps jsonb NOT NULL,
        state jsonb NOT NULL,
        phase text NOT NULL,
        source_checksum text,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (stack, name)
      )`);
    // The ticker scans only rollouts that can still move.
    await queryRunner.query(`CREATE INDEX rollouts_active ON "${S}".rollouts (phase) WHERE phase NOT IN ('promoted', 'rolled-back')`);
    // One rollout at a time per stack and environment: two canaries would fight over the weights.
    await queryRunner.query(`CREATE UNIQUE INDEX rollouts_one_active ON "${S}".rollouts (stack, environment) WHERE phase NOT IN ('promoted', 'rolled-back')`);
    await queryRunner.query(`
      CREATE TABLE "${S}".rollout_transitions (
        seq bigserial PRIMARY KEY,
        rollout_id uuid NOT NULL REFERENCES "${S}".rollouts (id) ON DELETE CASCADE,
        from_phase text,
        to_phase text NOT NULL,
        step_index integer NOT NULL,
        canary_weight real NOT NULL,
        reason text NOT NULL,
        policy_version integer,
        actor text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX rollout_transitions_by_rollout ON "${S}".rollout_transitions (rollout_id, seq)`);
    await queryRunner.query(`
      CREATE TABLE "${S}".kpi_windows (
        series_id text NOT NULL,
        window_start timestamptz NOT NULL,
        window_end timestamptz NOT NULL,
        stack text NOT NULL,
        environment text NOT NULL,
        stack_config text NOT NULL,
        metric text NOT NULL,
        sum double precision NOT NULL,
        count bigint NOT NULL,
        p99 double precision,
        PRIMARY KEY (series_id, window_start)
      )`);
    await queryRunner.query(`
      CREATE TABLE "${S}".kpi_rules (
        id uuid PRIMARY KEY,
        stack text NOT NULL,
        environment text NOT NULL,
        name text NOT NULL,
        rule jsonb NOT NULL,
        tracking jsonb NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (stack, environment, name)
      )`);
    await queryRunner.query(`CREATE INDEX kpi_windows_by_config ON "${S}".kpi_windows (stack, environment, stack_config, metric, window_start)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['kpi_rules', 'kpi_windows', 'rollout_transitions', 'rollouts', 'gateway_status', 'routing_policies', 'group_deployments', 'version_groups']) {
      await queryRunner.query(`DROP TABLE "${S}".${table}`);
    }
  }
}
