import { DataSource, EntityManager } from 'typeorm';

/**
 * Runs a service's work in a transaction of its own, or inside the caller's: a manifest applied in
 * one transaction, or a consumer's inbox transaction, joins the same unit of work.
 */
export class TransactionRunner {
  constructor(private readonly dataSource: DataSource) {}

  run<T>(work: (manager: EntityManager) => Promise<T>, within?: EntityManager): Promise<T> {
    return within ? work(within) : this.dataSource.transaction(work);
  }

  /**
   * Runs the work in a transaction that is always rolled back, and returns what it returned: a dry
   * run does exactly what the real one would, sees its own writes, and leaves nothing behind.
   */
  async rehearse<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      try {
        return await work(runner.manager);
      } finally {
        await runner.rollbackTransaction();
      }
    } finally {
      await runner.release();
    }
  }

  get reader(): EntityManager {
    return this.dataSource.manager;
  }
}

const UNIQUE_VIOLATION = '23505';

/** A unique constraint refused the write (TypeORM wraps pg's error in `driverError`). */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { driverError?: { code?: string } } | null)?.driverError?.code === UNIQUE_VIOLATION;
}
