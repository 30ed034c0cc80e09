import { createAuditTable, dropAuditTable } from '@strata/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { REGISTRY_SCHEMA as S } from '../registry-schema';

/** The audit trail of the service's accepted writes (see @strata/persistence audit-table). */
export class AuditLog1765411200000 implements MigrationInterface {
  name = 'AuditLog1765411200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createAuditTable(queryRunner, S);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropAuditTable(queryRunner, S);
  }
}
