import { PoolClient } from 'pg';
import { EntityManager } from 'typeorm';

/** The pg client under a TypeORM transaction, for what TypeORM cannot do (COPY). */
export async function pgClientOf(manager: EntityManager): Promise<PoolClient> {
  const runner = manager.queryRunner;
  if (!runner) {
    throw new Error('expected an EntityManager bound to a transaction');
  }
  return (await runner.connect()) as PoolClient;
}
