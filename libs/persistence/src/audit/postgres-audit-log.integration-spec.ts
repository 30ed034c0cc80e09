import type { AuditEntry } from '@strata/observability';
import { TestDatabase, createTestDatabase } from '@strata/testing';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { createServiceDataSource } from '../data-source';
import { migrateUnderLock } from '../migrate';
import { createAuditTable, dropAuditTable } from './audit-table';
import { PostgresAuditLog } from './postgres-audit-log';

const schema = 'audited';

class CreateAuditLog1700000000000 implements MigrationInterface {
  name = 'CreateAuditLog1700000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createAuditTable(queryRunner, schema);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropAuditTable(queryRunner, schema);
  }
}

describe(PostgresAuditLog.name, () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let sut: PostgresAuditLog;

  beforeAll(async () => {
    database = await createTestDatabase('audit-log');
    dataSource = createServiceDataSource({ schema, url: database.url, entities: [], migrations: [CreateAuditLog1700000000000], poolSize: 2 });
    await dataSource.initialize();
    await migrateUnderLock(dataSource, schema);
    sut = new PostgresAuditLog('registry', schema, dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const entry = (at: Date, target: string): AuditEntry => ({
    at,
    principal: 'ops',
    role: 'operator',
    tokenId: null,
    action: 'POST /v1/stacks',
    target,
    status: 201,
    params: {},
    query: {},
    request: null,
    after: null,
    correlationId: null,
  });

  it('pages rows of one instant newest first by numeric id, each row once, across ids of more digits', async () => {
    // Writes within one millisecond share `at`; the next ids cross 999 → 1000, where text order parts from numeric.
    await dataSource.query(`SELECT setval(pg_get_serial_sequence('"${schema}".audit_log', 'id'), 994)`);
    const at = new Date('2026-12-06T10:00:00.000Z');
    for (let index = 0; index < 12; index += 1) await sut.record(entry(at, `/v1/stacks/s${index}`));
    const expected = ((await dataSource.query(`SELECT id FROM "${schema}".audit_log ORDER BY id DESC`)) as { id: string }[]).map((row) => row.id);
    expect(expected[0]!.length).toBeGreaterThan(expected[11]!.length);

    const seen: string[] = [];
    let page = await sut.page({}, 5, undefined);
    for (let pages = 0; page.length > 0 && pages < 10; pages += 1) {
      seen.push(...page.map((record) => record.id));
      const last = page[page.length - 1]!;
      page = await sut.page({}, 5, { at: last.at, service: last.service, id: last.id });
    }
    expect(seen).toEqual(expected);
  });
});
