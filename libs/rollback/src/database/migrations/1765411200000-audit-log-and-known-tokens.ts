import { createKnownTokensTable, dropKnownTokensTable } from '@strata/messaging';
import { createAuditTable, dropAuditTable } from '@strata/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { ROLLBACK_SCHEMA as S } from '../rollback-schema';

/**
 * The audit trail of the service's accepted writes, and the bearer tokens it knows from the
 * registry's `token.changed` events (to verify issued tokens in the distributed mode).
 */
export class AuditLogAndKnownTokens1765411200000 implements MigrationInterface {
  name = 'AuditLogAndKnownTokens1765411200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createAuditTable(queryRunner, S);
    await createKnownTokensTable(queryRunner, S);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropKnownTokensTable(queryRunner, S);
    await dropAuditTable(queryRunner, S);
  }
}
