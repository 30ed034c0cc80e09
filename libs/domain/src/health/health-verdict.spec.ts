import { discoveredVersionOf, sqlValueMatches, statusFromProbes } from './health-verdict';

const probe = (ok: boolean) => ({ target: 't', ok, detail: '' });

describe(statusFromProbes.name, () => {
  it.each([
    [[true, true], 'healthy'],
    [[true, false], 'degraded'],
    [[false, false], 'failed'],
    [[], 'failed'],
  ])('%p → %s', (oks, status) => {
    expect(statusFromProbes((oks as boolean[]).map(probe))).toBe(status);
  });
});

describe(discoveredVersionOf.name, () => {
  it('prefers the component version header, then x-strata-version, then the JSON body', () => {
    expect(discoveredVersionOf({ 'x-app-version': '2.4.0', 'x-strata-version': '9' }, '', 'X-App-Version')).toBe('2.4.0');
    expect(discoveredVersionOf({ 'x-strata-version': ['2.4.1'] }, '{"version":"x"}')).toBe('2.4.1');
    expect(discoveredVersionOf({}, '{"status":"ok","version":"2.4.2"}')).toBe('2.4.2');
  });

  it('finds nothing in plain text or payloads without a version', () => {
    expect(discoveredVersionOf({}, 'OK')).toBeUndefined();
    expect(discoveredVersionOf({}, '{"version":3}')).toBeUndefined();
    expect(discoveredVersionOf({ 'x-strata-version': ' ' }, '[]')).toBeUndefined();
  });
});

describe(sqlValueMatches.name, () => {
  it('compares as text, booleans as booleans', () => {
    expect(sqlValueMatches(1, 1)).toBe(true);
    expect(sqlValueMatches('1', 1)).toBe(true);
    expect(sqlValueMatches(true, true)).toBe(true);
    expect(sqlValueMatches(false, true)).toBe(false);
    expect(sqlValueMatches(null, 'x')).toBe(false);
    expect(sqlValueMatches('anything', undefined)).toBe(true);
  });
});
