import { DomainError } from '@strata/domain';
import { testServerUrl } from '@strata/testing';
import { TargetDatabases } from './target-databases';

describe('TargetDatabases on a real PostgreSQL', () => {
  const sut = new TargetDatabases({ SHOP_DB_URL: testServerUrl() });

  it('runs work on a connection of its own', async () => {
    await expect(sut.with('SHOP_DB_URL', 'databaseUrlFrom', async (client) => (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one)).resolves.toBe(1);
  });

  it("names the field when the target drops the connection mid-work, rather than letting it read as Strata's own database being down (503)", async () => {
    const refused = await sut.with('SHOP_DB_URL', 'databaseUrlFrom', (client) => client.query('SELECT pg_terminate_backend(pg_backend_pid())')).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).violations).toEqual([{ field: 'databaseUrlFrom', message: expect.stringContaining('the connection to the database SHOP_DB_URL names was lost: ') }]);
  });

  it('lets any other failure of the work through as it is', async () => {
    await expect(sut.with('SHOP_DB_URL', 'databaseUrlFrom', (client) => client.query('SELECT * FROM no_such_table'))).rejects.toThrow('relation "no_such_table" does not exist');
  });
});
