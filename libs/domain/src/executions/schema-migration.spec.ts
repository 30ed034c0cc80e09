import { ledgerDecision, LedgerRow, schemaScript, schemaTimeouts, splitSqlStatements } from './schema-migration';

describe('splitSqlStatements', () => {
  it('splits on semicolons and drops empty statements', () => {
    expect(splitSqlStatements('CREATE TABLE a (id int);\n\nALTER TABLE a ADD b text;  ;')).toEqual(['CREATE TABLE a (id int)', 'ALTER TABLE a ADD b text']);
  });

  it('keeps semicolons inside strings, quoted identifiers, comments and dollar-quoted bodies', () => {
    const script = `INSERT INTO t VALUES ('a;b', 'it''s;');
CREATE TABLE "x;y" (id int); -- trailing; comment
/* block; comment */ CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
DO $$ BEGIN PERFORM 1; END $$;`;
    expect(splitSqlStatements(script)).toEqual([
      "INSERT INTO t VALUES ('a;b', 'it''s;')",
      'CREATE TABLE "x;y" (id int)',
      '-- trailing; comment\n/* block; comment */ CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql',
      'DO $$ BEGIN PERFORM 1; END $$',
    ]);
  });

  it('drops a statement made only of comments', () => {
    expect(splitSqlStatements('SELECT 1; -- done\n')).toEqual(['SELECT 1']);
  });
});

describe('schemaScript', () => {
  const version = {
    spec: { up: 'CREATE INDEX CONCURRENTLY i ON t (a); ANALYZE t;', down: 'DROP INDEX CONCURRENTLY i;' },
    rollback: [{ sql: { from: 'down' as const } }, { sql: { statement: 'ANALYZE t' } }, { routing: { restore: 'previous' as const } }],
  };

  it('runs up forward, outside a transaction when a statement needs it', () => {
    expect(schemaScript(version, 'forward')).toEqual({ statements: ['CREATE INDEX CONCURRENTLY i ON t (a)', 'ANALYZE t'], transactional: false });
  });

  it('runs the sql rollback actions backward, in order, down resolved from the spec', () => {
    expect(schemaScript(version, 'backward')).toEqual({ statements: ['DROP INDEX CONCURRENTLY i', 'ANALYZE t'], transactional: false });
  });

  it('is transactional for ordinary DDL, and not fooled by a comment naming CONCURRENTLY', () => {
    expect(schemaScript({ spec: { up: 'ALTER TABLE t ADD c text; -- not CONCURRENTLY\n' }, rollback: [] }, 'forward').transactional).toBe(true);
  });
});

describe('schemaTimeouts', () => {
  it('reads durations and milliseconds from the config, else the defaults', () => {
    expect(schemaTimeouts({ lock_timeout: '2s', statement_timeout: 1500 })).toEqual({ lockTimeoutMs: 2_000, statementTimeoutMs: 1_500 });
    expect(schemaTimeouts({ lock_timeout: 'soon' })).toEqual({ lockTimeoutMs: 5_000, statementTimeoutMs: 300_000 });
  });
});

describe('ledgerDecision', () => {
  const known = new Set(['1.0.0', '1.1.0', '2.0.0']);
  const row = (version: string, reverted = false): LedgerRow => ({ component: 'db', version, revertedAt: reverted ? new Date(0) : null });
  const forward = (fromVersion: string | null, toVersion: string) => ({ component: 'db', fromVersion, toVersion, direction: 'forward' as const });
  const backward = (fromVersion: string, toVersion: string | null, resumed = false) => ({ component: 'db', fromVersion, toVersion, direction: 'backward' as const, resumed });

  it('runs a forward step from the version the ledger holds', () => {
    expect(ledgerDecision([row('1.0.0')], forward('1.0.0', '1.1.0'), known)).toEqual({ run: true, revert: [] });
    expect(ledgerDecision([], forward(null, '1.0.0'), known)).toEqual({ run: true, revert: [] });
  });

  it('makes a re-run of an applied forward step a no-op', () => {
    expect(ledgerDecision([row('1.0.0'), row('1.1.0')], forward('1.0.0', '1.1.0'), known)).toEqual({ run: false, reason: 'db@1.1.0 is already applied (ledger)' });
  });

  it('reports drift when the ledger and the version map disagree', () => {
    expect(ledgerDecision([row('1.0.0')], forward('1.1.0', '2.0.0'), known)).toEqual({ drift: 'the ledger of db says 1.0.0 is applied, the version map says 1.1.0' });
    expect(ledgerDecision([row('1.0.0'), row('2.0.0')], backward('1.1.0', '1.0.0'), known)).toEqual({ drift: expect.stringContaining('says 2.0.0 is the latest applied version') });
  });

  it('reports a ledger row of a version the registry does not know', () => {
    expect(ledgerDecision([row('1.0.0'), row('9.9.9')], forward('1.0.0', '1.1.0'), known)).toEqual({ drift: expect.stringContaining('holds version 9.9.9, which the registry does not know') });
  });

  it('takes back every version applied after the one to restore, newest first', () => {
    expect(ledgerDecision([row('1.0.0'), row('1.1.0'), row('2.0.0')], backward('2.0.0', '1.0.0'), known)).toEqual({ run: true, revert: ['2.0.0', '1.1.0'] });
    expect(ledgerDecision([row('1.0.0'), row('1.1.0')], backward('1.1.0', null), known)).toEqual({ run: true, revert: ['1.1.0', '1.0.0'] });
  });

  it('makes a re-run of a finished backward step a no-op, and resumes a half-done one', () => {
    expect(ledgerDecision([row('1.0.0'), row('1.1.0', true)], backward('1.1.0', '1.0.0'), known)).toEqual({ run: false, reason: 'db is at 1.0.0 already (ledger)' });
    expect(ledgerDecision([row('1.0.0'), row('1.1.0'), row('2.0.0', true)], backward('2.0.0', '1.0.0', true), known)).toEqual({ run: true, revert: ['1.1.0'] });
  });

  it('reports drift when the version to restore is not applied', () => {
    expect(ledgerDecision([row('1.1.0')], backward('1.1.0', '1.0.0'), known)).toEqual({ drift: 'the ledger of db does not hold 1.0.0, the version to restore' });
  });

  it('ignores other components and reverted rows', () => {
    const other: LedgerRow = { component: 'other', version: 'x', revertedAt: null };
    expect(ledgerDecision([other, row('1.1.0', true), row('1.0.0')], forward('1.0.0', '1.1.0'), known)).toEqual({ run: true, revert: [] });
  });
});
