import { ComponentVersion } from '../components/component-version';
import { DomainError } from '../errors/domain-error';
import { assertBreaksAllowed, breakingChangesOf } from './breaking-changes-of';

function dbVersion(version: string, up: string): ComponentVersion {
  return { component: 'checkout-db', type: 'db-schema', version, dependencies: [], config: {}, rollback: [], spec: { up } };
}

function contract(version: string, paths: Record<string, unknown>): ComponentVersion {
  return { component: 'payments', type: 'api-contract', version, dependencies: [], config: {}, rollback: [], spec: { baseUrl: 'https://p', openapi: { openapi: '3.0.3', paths } } };
}

describe(breakingChangesOf.name, () => {
  it('treats the first version as the baseline', async () => {
    expect(await breakingChangesOf(undefined, dbVersion('1.0.0', 'DROP TABLE legacy;'))).toEqual([]);
  });

  it('lints db-schema migrations', async () => {
    const breaks = await breakingChangesOf(dbVersion('1.0.0', 'CREATE TABLE t (a int);'), dbVersion('1.1.0', 'ALTER TABLE t DROP COLUMN a;'));
    expect(breaks.map((change) => change.kind)).toEqual(['drop-column']);
  });

  it('diffs api-contract documents', async () => {
    const breaks = await breakingChangesOf(contract('3.2.0', { '/a': { get: {} }, '/b': { get: {} } }), contract('3.3.0', { '/a': { get: {} } }));
    expect(breaks.map((change) => change.kind)).toEqual(['path-removed']);
  });

  it.each([
    ['the previous contract', { $ref: './p-3.2.0.yaml' }, { openapi: '3.0.3', paths: {} }, "3.2.0 refers to './p-3.2.0.yaml'"],
    ['the next contract', { openapi: '3.0.3', paths: {} }, { $ref: './p-3.3.0.yaml' }, "3.3.0 refers to './p-3.3.0.yaml'"],
    ['both contracts', { $ref: './p.yaml' }, { $ref: './p.yaml' }, "3.2.0 refers to './p.yaml' and 3.3.0 refers to './p.yaml'"],
  ])('treats a change as breaking when %s is a file reference it cannot diff', async (_case, before, after, named) => {
    const version = (number: string, openapi: unknown): ComponentVersion => ({ ...contract(number, {}), spec: { baseUrl: 'https://p', openapi } });
    const breaks = await breakingChangesOf(version('3.2.0', before), version('3.3.0', after));
    expect(breaks).toEqual([{ kind: 'contract-unverifiable', location: 'spec.openapi', message: expect.stringContaining(named) }]);
  });

  it('finds nothing for types without a detector', async () => {
    const app = (version: string): ComponentVersion => ({ component: 'api', type: 'app', version, dependencies: [], config: {}, rollback: [], spec: {} });
    expect(await breakingChangesOf(app('1.0.0'), app('2.0.0'))).toEqual([]);
  });
});

describe(assertBreaksAllowed.name, () => {
  const breaks = [{ kind: 'drop-column', location: 'statement 1 (line 1)', message: 'drops column t.a' }];

  it('allows breaks with a major bump or an override, and versions without breaks', () => {
    expect(() => assertBreaksAllowed(dbVersion('1.4.0', ''), dbVersion('2.0.0', ''), breaks, undefined)).not.toThrow();
    expect(() => assertBreaksAllowed(dbVersion('1.4.0', ''), dbVersion('1.5.0', ''), breaks, { reason: 'column unused since 1.2' })).not.toThrow();
    expect(() => assertBreaksAllowed(dbVersion('1.4.0', ''), dbVersion('1.5.0', ''), [], undefined)).not.toThrow();
  });

  it('refuses breaks in a minor bump, listing each', () => {
    let caught: unknown;
    try {
      assertBreaksAllowed(dbVersion('1.4.0', ''), dbVersion('1.5.0', ''), breaks, undefined);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect((caught as DomainError).message).toContain('release it as 2.0.0');
    expect((caught as DomainError).message).toContain('breakingOverride');
    expect((caught as DomainError).violations).toEqual([{ field: 'statement 1 (line 1)', message: 'drops column t.a (drop-column)' }]);
  });
});
