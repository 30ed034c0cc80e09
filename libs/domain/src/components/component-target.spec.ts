import { componentTargetViolations } from './component-target';

describe(componentTargetViolations.name, () => {
  it('accepts references and plain settings', () => {
    expect(componentTargetViolations({ databaseUrlFrom: 'CHECKOUT_DB_URL', schema: 'public', port: 5432, tls: { mode: 'verify-full', caFrom: 'DB_CA' } })).toEqual([]);
    expect(componentTargetViolations({})).toEqual([]);
  });

  it.each([
    [{ databaseUrl: 'postgres://app:hunter2@db:5432/checkout' }, 'target.databaseUrl'],
    [{ dsn: 'host=db user=app password=hunter2' }, 'target.dsn'],
    [{ password: 'hunter2' }, 'target.password'],
    [{ apiToken: 'abc' }, 'target.apiToken'],
    [{ endpoint: 'https://user:pass@lb.example.com' }, 'target.endpoint'],
    [{ auth: { privateKey: '-----BEGIN' } }, 'target.auth.privateKey'],
  ])('refuses a value that may be a secret: %j, naming %s', (target, field) => {
    const [violation] = componentTargetViolations(target);
    expect(violation.field).toBe(field);
    expect(violation.message).toMatch(/^may hold a secret, and Strata never stores one: give it by reference as \w+From: <VARIABLE>/);
  });

  it('refuses a reference that is not a variable name', () => {
    expect(componentTargetViolations({ databaseUrlFrom: 'postgres://db/x' })).toEqual([
      { field: 'target.databaseUrlFrom', message: "must name the environment variable (or secret) holding the value, e.g. CHECKOUT_DB_URL, got the string 'postgres://db/x'" },
    ]);
  });

  it('refuses a target that is not an object, and one nested too deep', () => {
    expect(componentTargetViolations('postgres://x')[0].field).toBe('target');
    expect(componentTargetViolations({ a: { b: { c: { d: { e: 1 } } } } })).toEqual([{ field: 'target.a.b.c.d', message: 'nests deeper than 4 levels' }]);
  });
});
