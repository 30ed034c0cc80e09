import { MigrationInterface, QueryRunner } from 'typeorm';
import { REGISTRY_SCHEMA as S } from '../registry-schema';

/** Components, their immutable versions, version groups, the version map with its history, nodes. */
export class ComponentsAndVersionMap1764216000000 implements MigrationInterface {
  name = 'ComponentsAndVersionMap1764216000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "${S}".components (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        stack_id uuid NOT NULL REFERENCES "${S}".stacks (id) ON DELETE RESTRICT,
        name text NOT NULL UNIQUE,
        type text NOT NULL,
        target jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX components_stack ON "${S}".components (stack_id)`);
    await queryRunner.query(`
      CREATE TABLE "${S}".component_versions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        component_id uuid NOT NULL REFERENCES "${S}".components (id) ON DELETE RESTRICT,
        version text NOT NULL,
        dependencies jsonb NOT NULL,
        config jsonb NOT NULL,
        rollback jsonb NOT NULL,
        health_check jsonb,
        spec jsonb NOT NULL,
        checksum text NOT NULL,
        breaking_override jsonb,
        registered_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT component_versions_unique UNIQUE (component_id, version)
      )`);
    await queryRunner.query(`
      CREATE TABLE "${S}".version_groups (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        stack_id uuid NOT NULL REFERENCES "${S}".stacks (id) ON DELETE RESTRICT,
        name text NOT NULL,
        environment text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT version_groups_unique UNIQUE (stack_id, name)
      )`);
    await queryRunner.query(`
      CREATE TABLE "${S}".version_group_members (
        version_group_id uuid NOT NULL REFERENCES "${S}".version_groups (id) ON DELETE CASCADE,
        component_version_id uuid NOT NULL REFERENCES "${S}".component_versions (id) ON DELETE RESTRICT,
        PRIMARY KEY (version_group_id, component_version_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE "${S}".deployments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        environment_id uuid NOT NULL REFERENCES "${S}".environments (id) ON DELETE CASCADE,
        location text NOT NULL CHECK (location IN ('staging', 'production')),
        component_id uuid NOT NULL REFERENCES "${S}".components (id) ON DELETE RESTRICT,
        component_version_id uuid NOT NULL REFERENCES "${S}".component_versions (id) ON DELETE RESTRICT,
        version_group_id uuid REFERENCES "${S}".version_groups (id) ON DELETE SET NULL,
        status text NOT NULL CHECK (status IN ('deploying', 'healthy', 'degraded', 'failed', 'rolled-back')),
        health_seen_at timestamptz,
        since timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT deployments_slot UNIQUE (environment_id, location, component_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE "${S}".version_map_history (
        id bigserial PRIMARY KEY,
        environment_id uuid NOT NULL REFERENCES "${S}".environments (id) ON DELETE CASCADE,
        location text NOT NULL,
        component_id uuid NOT NULL REFERENCES "${S}".components (id) ON DELETE RESTRICT,
        from_version text,
        to_version text NOT NULL,
        from_status text,
        to_status text NOT NULL,
        actor text NOT NULL,
        reason text,
        changed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX version_map_history_slot ON "${S}".version_map_history (environment_id, location, component_id, id)`);
    await queryRunner.query(`
      CREATE TABLE "${S}".nodes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        environment_id uuid NOT NULL REFERENCES "${S}".environments (id) ON DELETE CASCADE,
        location text NOT NULL CHECK (location IN ('staging', 'production')),
        component_id uuid NOT NULL REFERENCES "${S}".components (id) ON DELETE RESTRICT,
        address text NOT NULL,
        declared_version text,
        discovered_version text,
        health text NOT NULL CHECK (health IN ('healthy', 'unhealthy', 'unknown')),
        resources jsonb NOT NULL DEFAULT '{}'::jsonb,
        last_seen timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT nodes_address UNIQUE (environment_id, location, component_id, address)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['nodes', 'version_map_history', 'deployments', 'version_group_members', 'version_groups', 'component_versions', 'components']) {
      await queryRunner.query(`DROP TABLE "${S}".${table}`);
    }
  }
}
