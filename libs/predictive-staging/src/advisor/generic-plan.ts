import { randomBytes } from 'node:crypto';
import { parameterCount, type SqlRunner } from '@strata/predictive-staging/staging';

export { parameterCount } from '@strata/predictive-staging/staging';

/**
 * `EXPLAIN (FORMAT JSON)` of a statement. A normalised one (`… WHERE customer_id = $1`, as
 * pg_stat_statements keeps it) cannot be explained as it is on PostgreSQL 15, which has no
 * `EXPLAIN (GENERIC_PLAN)`: it is prepared (PostgreSQL infers the parameters' types) and its
 * generic plan explained (`plan_cache_mode = force_generic_plan`, so the NULL arguments are never
 * folded into the plan), which is what the planner would run for any value. HypoPG's hypothetical
 * indexes are seen by it as by a plain EXPLAIN.
 */
export async function explainJson(db: SqlRunner, sql: string): Promise<unknown> {
  const parameters = await parameterCount(sql);
  if (parameters === 0) return (await db.query(`EXPLAIN (FORMAT JSON) ${sql}`)).rows[0]?.['QUERY PLAN'];
  const name = `strata_advisor_${randomBytes(6).toString('hex')}`;
  await db.query(`PREPARE ${name} AS ${sql}`);
  try {
    await db.query('SET plan_cache_mode = force_generic_plan');
    const { rows } = await db.query(`EXPLAIN (FORMAT JSON) EXECUTE ${name}(${Array.from({ length: parameters }, () => 'NULL').join(', ')})`);
    return rows[0]?.['QUERY PLAN'];
  } finally {
    await db.query('RESET plan_cache_mode');
    await db.query(`DEALLOCATE ${name}`);
  }
}
