import { TestDatabase, createTestDatabase } from '@strata/testing';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { createServiceDataSource } from './data-source';
import { migrateUnderLock } from './migrate';

class CreateWidgets1700000000000 implements MigrationInterface {
  name = 'CreateWidgets1700000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Slow enough that two unguarded replicas would both try to create the table.
    await queryRunner.query('SELECT pg_sleep(0.5)');
    await queryRunner.query('CREATE TABLE widgets.widgets (id int PRIMARY KEY)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE widgets.widgets');
  }
}

describe(migrateUnderLock.name, () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('migrate');
  });

  afterAll(async () => {
    await database.drop();
  });

  const replica = () => createServiceDataSource({ schema: 'widgets', url: database.url, entities: [], migrations: [CreateWidgets1700000000000], poolSize: 3 });

  it('lets one of two replicas starting together migrate, and the other find nothing to do', async () => {
    const replicas = [replica(), replica()];
    await Promise.all(replicas.map((dataSource) => dataSource.initialize()));
    try {
      const outcomes = await Promise.all(replicas.map((dataSource) => migrateUnderLock(dataSource, 'widgets')));
      expect(outcomes.map((outcome) => outcome.applied).sort()).toEqual([[], ['CreateWidgets1700000000000']]);
      const [row] = (await replicas[0]!.query('SELECT count(*)::int AS count FROM widgets.schema_migrations')) as { count: number }[];
      expect(row?.count).toBe(1);
    } finally {
      await Promise.all(replicas.map((dataSource) => dataSource.destroy()));
    }
  });

  it('is a no-op on an up-to-date schema', async () => {
    const dataSource = replica();
    await dataSource.initialize();
    try {
      await expect(migrateUnderLock(dataSource, 'widgets')).resolves.toEqual({ schema: 'widgets', applied: [] });
    } finally {
      await dataSource.destroy();
    }
  });
});
