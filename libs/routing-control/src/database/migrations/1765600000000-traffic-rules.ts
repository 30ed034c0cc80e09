import { MigrationInterface, QueryRunner } from 'typeorm';
import { ROUTING_CONTROL_SCHEMA as S } from '../routing-control-schema';

/**
 * KPI rules become traffic rules: traffic shaping only. Rules whose action aborted the rollout are
 * removed: aborting a rollout is a rollback trigger's job now (the rollback service watches a
 * Rollout's `rollbackTriggers`), and a rule kept with an action nobody carries out would look
 * armed while doing nothing.
 */
export class TrafficRules1765600000000 implements MigrationInterface {
  name = 'TrafficRules1765600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "${S}".kpi_rules WHERE rule->'action'->>'kind' = 'abortRollout'`);
    await queryRunner.query(`ALTER TABLE "${S}".kpi_rules RENAME TO traffic_rules`);
    await queryRunner.query(`ALTER TABLE "${S}".traffic_rules RENAME CONSTRAINT kpi_rules_pkey TO traffic_rules_pkey`);
    await queryRunner.query(`ALTER TABLE "${S}".traffic_rules RENAME CONSTRAINT kpi_rules_stack_environment_name_key TO traffic_rules_stack_environment_name_key`);
  }

  /** Back to the old name; the abort rules removed on the way up are not restored. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "${S}".traffic_rules RENAME CONSTRAINT traffic_rules_stack_environment_name_key TO kpi_rules_stack_environment_name_key`);
    await queryRunner.query(`ALTER TABLE "${S}".traffic_rules RENAME CONSTRAINT traffic_rules_pkey TO kpi_rules_pkey`);
    await queryRunner.query(`ALTER TABLE "${S}".traffic_rules RENAME TO kpi_rules`);
  }
}
