import { ComponentVersion, RollbackAction } from '../component-version';
import { dbSchemaSpecViolations, dbSchemaVersionViolations } from './db-schema-spec';

describe(dbSchemaSpecViolations.name, () => {
  const sut = (spec: unknown) => dbSchemaSpecViolations(spec, 'spec');

  it('accepts up and down SQL', () => {
    expect(sut({ up: 'ALTER TABLE orders ADD COLUMN coupon_code text;', down: 'ALTER TABLE orders DROP COLUMN coupon_code;' })).toEqual([]);
  });

  it('accepts an irreversible migration without down', () => {
    expect(sut({ up: 'DELETE FROM sessions;' })).toEqual([]);
  });

  it('requires up and a non-blank down when given', () => {
    expect(sut({ down: '\n' })).toEqual([
      { field: 'spec.up', message: 'must be a non-blank string, got undefined' },
      { field: 'spec.down', message: 'must be a non-blank string, got a blank string' },
    ]);
  });

  it('refuses SQL that is not text and unknown fields', () => {
    expect(sut({ up: ['CREATE TABLE t ()'], rollback: 'x' })).toEqual([
      { field: 'spec.rollback', message: 'is not a known field; expected one of up, down' },
      { field: 'spec.up', message: 'must be a non-blank string, got a list' },
    ]);
  });

  it('requires an object', () => {
    expect(sut('CREATE TABLE t ()')).toEqual([{ field: 'spec', message: "must be an object, got the string 'CREATE TABLE t ()'" }]);
  });
});

describe(dbSchemaVersionViolations.name, () => {
  const sut = dbSchemaVersionViolations;
  const version = (spec: unknown, rollback: RollbackAction[]): ComponentVersion => ({
    component: 'checkout-db',
    type: 'db-schema',
    version: '14.1.0',
    dependencies: [],
    config: {},
    rollback,
    spec,
  });

  it('accepts running down when down is given', () => {
    expect(sut(version({ up: 'x', down: 'y' }, [{ sql: { from: 'down' } }]))).toEqual([]);
  });

  it('refuses running down when there is none, naming each such action', () => {
    expect(sut(version({ up: 'x' }, [{ event: { type: 'io.strata.x.v1' } }, { sql: { from: 'down' } }]))).toEqual([
      { field: 'rollback[1].sql.from', message: 'runs the down migration, but spec.down is not given' },
    ]);
  });

  it('accepts an explicit statement without down', () => {
    expect(sut(version({ up: 'CREATE INDEX CONCURRENTLY i ON t (c)' }, [{ sql: { statement: 'DROP INDEX CONCURRENTLY i' } }]))).toEqual([]);
  });

  const withConfig = (config: ComponentVersion['config']): ComponentVersion => ({ ...version({ up: 'x' }, []), config });

  it('accepts session timeouts given as durations or whole milliseconds', () => {
    expect(sut(withConfig({ lock_timeout: '5s', statement_timeout: 120_000 }))).toEqual([]);
    expect(sut(withConfig({ statement_timeout: '24h' }))).toEqual([]);
  });

  it.each([
    [{ statement_timeout: '0s' }, 'config.statement_timeout', "must be more than 0: 0 turns PostgreSQL's timeout off"],
    [{ lock_timeout: 0 }, 'config.lock_timeout', "must be more than 0: 0 turns PostgreSQL's timeout off"],
    [{ lock_timeout: 'banana' }, 'config.lock_timeout', 'must be a duration such as 5s or 2m (or whole milliseconds), got "banana"'],
    [{ lock_timeout: '-5s' }, 'config.lock_timeout', 'must be a duration such as 5s or 2m (or whole milliseconds), got "-5s"'],
    [{ statement_timeout: 1.5 }, 'config.statement_timeout', 'must be a duration such as 5s or 2m (or whole milliseconds), got 1.5'],
    [{ statement_timeout: true }, 'config.statement_timeout', 'must be a duration such as 5s or 2m (or whole milliseconds), got true'],
    [{ statement_timeout: '25h' }, 'config.statement_timeout', 'must be at most 24h'],
  ])('refuses the session timeout %j, naming it', (config, field, message) => {
    expect(sut(withConfig(config))).toEqual([{ field, message }]);
  });
});
