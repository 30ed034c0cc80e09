import { QueryRunner } from 'typeorm';

/**
 * The audit table every service keeps in its own schema, created by one of the service's
 * migrations like the outbox and inbox. Append-only: nothing in Strata updates or deletes a row.
 */
export async function createAuditTable(queryRunner: QueryRunner, schema: string): Promise<void> {
  await queryRunner.query(`
    CREATE TABLE "${schema}".audit_log (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL,
      principal text NOT NULL,
      role text NOT NULL,
      token_id uuid,
      action text NOT NULL,
      target text NOT NULL,
      status smallint NOT NULL,
      params jsonb NOT NULL,
      query jsonb NOT NULL,
      request jsonb,
      after jsonb,
      correlation_id text
    )`);
  await queryRunner.query(`CREATE INDEX audit_log_at ON "${schema}".audit_log (at DESC, id DESC)`);
  await queryRunner.query(`CREATE INDEX audit_log_principal ON "${schema}".audit_log (principal, at DESC)`);
}

export async function dropAuditTable(queryRunner: QueryRunner, schema: string): Promise<void> {
  await queryRunner.query(`DROP TABLE "${schema}".audit_log`);
}
