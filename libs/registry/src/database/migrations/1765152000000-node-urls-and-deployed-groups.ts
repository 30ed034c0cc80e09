import { MigrationInterface, QueryRunner } from 'typeorm';
import { REGISTRY_SCHEMA as S } from '../registry-schema';

/**
 * Nodes may give the URL to reach them by, and are announced to other services (`node.changed`).
 * The version groups deployed to each location are kept side by side until one is retired, so a
 * canary's deployment no longer hides the stable group its nodes still run.
 */
export class NodeUrlsAndDeployedGroups1765152000000 implements MigrationInterface {
  name = 'NodeUrlsAndDeployedGroups1765152000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "${S}".nodes ADD COLUMN url text, ADD COLUMN announced_at timestamptz`);
    await queryRunner.query(`
      CREATE TABLE "${S}".deployed_groups (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        environment_id uuid NOT NULL REFERENCES "${S}".environments (id) ON DELETE CASCADE,
        location text NOT NULL CHECK (location IN ('staging', 'production')),
        version_group_id uuid NOT NULL REFERENCES "${S}".version_groups (id) ON DELETE CASCADE,
        deployed_at timestamptz NOT NULL DEFAULT now(),
        deployed_by text NOT NULL,
        retired_at timestamptz,
        retired_by text,
        retired_reason text,
        CONSTRAINT deployed_groups_unique UNIQUE (environment_id, location, version_group_id)
      )`);
    await queryRunner.query(`CREATE INDEX deployed_groups_active ON "${S}".deployed_groups (environment_id, location) WHERE retired_at IS NULL`);
    // What the slots show deployed now: before this table, only the last group of each slot was kept.
    await queryRunner.query(`
      INSERT INTO "${S}".deployed_groups (environment_id, location, version_group_id, deployed_at, deployed_by)
      SELECT environment_id, location, version_group_id, min(since), 'migration'
        FROM "${S}".deployments
       WHERE version_group_id IS NOT NULL
       GROUP BY environment_id, location, version_group_id`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "${S}".deployed_groups`);
    await queryRunner.query(`ALTER TABLE "${S}".nodes DROP COLUMN announced_at, DROP COLUMN url`);
  }
}
