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
});
