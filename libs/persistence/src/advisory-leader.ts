import { createHash } from 'node:crypto';
import { DataSource, QueryRunner } from 'typeorm';

/** The 64-bit advisory-lock key of a named role, distinct from every migration lock. */
export function leaderLockKey(role: string): string {
  return createHash('sha256').update(`strata:leader:${role}`).digest().readBigInt64BE(0).toString();
}

/**
 * One replica at a time does a job (scheduled health checks, forecast rounds): the one holding a
 * session advisory lock on its own connection. If that replica dies, PostgreSQL ends its session
 * and the lock passes to the next one that asks.
 */
export class AdvisoryLeader {
  private connection: QueryRunner | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly role: string,
  ) {}

  /** Whether this replica leads now; takes the lead when nobody holds it. */
  async isLeader(): Promise<boolean> {
    if (!this.connection || this.connection.isReleased) {
      this.connection = this.dataSource.createQueryRunner();
      await this.connection.connect();
    }
    const [row] = (await this.connection.query('SELECT pg_try_advisory_lock($1::bigint) AS leader', [leaderLockKey(this.role)])) as { leader: boolean }[];
    return row?.leader === true;
  }

  /** Gives up the lead (its session ends with the connection). */
  async release(): Promise<void> {
    await this.connection?.release().catch(() => undefined);
    this.connection = undefined;
  }
}
