import { memberRefs } from './version-group.manifest-kind';

describe('memberRefs (a VersionGroup manifest\'s members)', () => {
  it('reads the manifest\'s map of component to version', () => {
    expect(memberRefs({ 'checkout-api': '2.4.0', 'checkout-db': '14.1.0' })).toEqual([
      { component: 'checkout-api', version: '2.4.0' },
      { component: 'checkout-db', version: '14.1.0' },
    ]);
  });

  it('reads the API\'s list of pairs as well', () => {
    expect(memberRefs([{ component: 'checkout-api', version: '2.4.0' }])).toEqual([{ component: 'checkout-api', version: '2.4.0' }]);
  });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['a string', 'checkout-api@2.4.0'],
    ['an empty map', {}],
    ['an empty list', []],
    ['a list of strings', ['checkout-api@2.4.0']],
    ['a pair without a component', [{ version: '2.4.0' }]],
  ])('refuses members that are %s, saying which forms it takes', (_case, raw) => {
    expect(memberRefs(raw)).toMatch(/^must map each component to its version .* or list them as the API does/);
  });

  it('refuses a version YAML read as a number or left empty, naming the component', () => {
    expect(memberRefs({ 'checkout-db': 14.1 })).toBe("checkout-db: the version must be a string (quote it: '14.1' may not be what YAML read)");
    expect(memberRefs({ 'checkout-db': null })).toMatch(/^checkout-db: the version must be a string/);
    expect(memberRefs([{ component: 'checkout-db', version: 3 }])).toMatch(/^checkout-db: the version must be a string/);
  });
});
