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

/** The SQLSTATE of an error from the pg driver, whether TypeORM wrapped it or not. */
export function sqlStateOf(error: unknown): string | undefined {
  const candidate = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = candidate?.driverError?.code ?? candidate?.code;
  return typeof code === 'string' ? code : undefined;
}
