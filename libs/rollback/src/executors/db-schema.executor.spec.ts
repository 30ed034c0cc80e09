import { DEFAULT_ROLLBACK_TUNING } from '../config/rollback-tuning';
import { CatalogVersionEntity } from '../entities/catalog.entity';
import { ExecutionStepEntity } from '../entities/execution.entity';
import { DbSchemaExecutor } from './db-schema.executor';

describe('DbSchemaExecutor before an execution starts', () => {
  const executor = new DbSchemaExecutor(undefined as never, { ...DEFAULT_ROLLBACK_TUNING, targetEnvironment: { SHOP_DB_URL: 'postgres://app@db/shop', PATH: '/usr/local/bin:/usr/bin', HOME: '/root' } });
  const step = { component: 'shop-db', action: 'apply' } as ExecutionStepEntity;
  const version = (target: Record<string, unknown>, spec = { up: 'CREATE INDEX CONCURRENTLY i ON t (a);', down: 'DROP INDEX i;' }) =>
    ({ component: 'shop-db', version: '1.1.0', target, spec, config: { lock_timeout: '2s' }, rollback: [{ sql: { from: 'down' } }] }) as unknown as CatalogVersionEntity;

  it('names the field when the target variable is not set, never its value', () => {
    expect(executor.preflight({ step, version: version({ databaseUrlFrom: 'ORDERS_DB_URL' }) })).toEqual({
      field: 'members.shop-db.target.databaseUrlFrom',
      message: "the variable ORDERS_DB_URL (target.databaseUrlFrom of shop-db) is not set in the rollback service's environment",
    });
    expect(executor.preflight({ step, version: version({}) })).toMatchObject({ field: 'members.shop-db.target.databaseUrlFrom' });
    expect(executor.preflight({ step, version: version({ databaseUrlFrom: 'SHOP_DB_URL' }) })).toBeUndefined();
  });

  it("refuses a variable that holds no PostgreSQL URL, without its value: the driver's errors would show it", () => {
    for (const variable of ['PATH', 'HOME']) {
      const problem = executor.preflight({ step, version: version({ databaseUrlFrom: variable }) });
      expect(problem).toEqual({ field: 'members.shop-db.target.databaseUrlFrom', message: `the variable ${variable} (target.databaseUrlFrom of shop-db) does not hold a postgres:// or postgresql:// URL` });
      expect(problem?.message).not.toContain('/usr');
      expect(problem?.message).not.toContain('/root');
    }
  });

  it('describes the SQL a dry run would run, with its timeouts and transaction mode, and not the URL', () => {
    const lines = executor.describe({ step, version: version({ databaseUrlFrom: 'SHOP_DB_URL' }), restored: null });
    expect(lines).toEqual(['on the database of $SHOP_DB_URL, statement by statement (outside a transaction), lock_timeout 2000 ms, statement_timeout 300000 ms:', 'CREATE INDEX CONCURRENTLY i ON t (a)']);
    expect(lines.join(' ')).not.toContain('postgres://');
    expect(executor.describe({ step: { ...step, action: 'revert' } as ExecutionStepEntity, version: version({ databaseUrlFrom: 'SHOP_DB_URL' }), restored: null })).toContain('DROP INDEX i');
  });
});
