import { dependenciesViolations, parseStrictVersion, rangeProblem, versionViolations } from './semver-fields';

describe(parseStrictVersion.name, () => {
  const sut = parseStrictVersion;

  it.each(['0.0.0', '1.2.3', '14.1.0', '1.0.0-rc.1', '1.0.0-alpha.beta.1', '1.0.0-0', '1.2.3+build.5', '1.2.3-rc.1+sha.abc', '1.0.0-x-y-z.--'])('parses %p', (text) => {
    expect(sut(text)?.raw).toBe(text);
  });

  it.each(['v1.2.3', '=1.2.3', ' 1.2.3', '1.2.3 ', '1.2', '1', '01.2.3', '1.02.3', '1.2.3-01', '1.2.3-', '1.2.3+', '1.2.3.4', 'latest', '', '1.2.3-rc..1'])(
    'refuses %p, which is not canonical SemVer 2.0',
    (text) => {
      expect(sut(text)).toBeUndefined();
    },
  );

  it('keeps prerelease and build identifiers', () => {
    const parsed = sut('2.0.0-rc.2+exp.sha.5114f85');
    expect(parsed?.prerelease).toEqual(['rc', 2]);
    expect(parsed?.build).toEqual(['exp', 'sha', '5114f85']);
  });
});

describe(versionViolations.name, () => {
  const sut = versionViolations;

  it('accepts a SemVer 2.0 version', () => {
    expect(sut('2.4.0')).toEqual([]);
  });

  it('explains the expected form', () => {
    expect(sut('v2.4.0')).toEqual([{ field: 'version', message: expect.stringContaining("no 'v' prefix") }]);
  });

  it('names what it got when the version is not text, e.g. YAML read 2.4 as a number', () => {
    expect(sut(2.4, 'members.checkout-api')).toEqual([{ field: 'members.checkout-api', message: expect.stringContaining('number 2.4') }]);
  });
});

describe(rangeProblem.name, () => {
  const sut = rangeProblem;

  it.each([
    '^3.0.0',
    '^0.2.3',
    '^0.0.3',
    '~1.2.3',
    '~1.2',
    '>=14.1.0 <15.0.0',
    '1.2.3 - 2.3.4',
    '1.2 - 2',
    '*',
    'x',
    '1.x',
    '1.2.x',
    '1.2.3',
    '=1.2.3',
    '^1.2.3 || ^2.0.0',
    '>=1.0.0-rc.1 <2.0.0',
    '<1.0.0',
    '>=1.2.3 <2.0.0 || >2.5.0',
    '~>1.2.0',
  ])('accepts %p', (range) => {
    expect(sut(range)).toBeUndefined();
  });

  it.each(['abc', '>>1.0.0', '1.2.3.4', 'latest', '^1.2.3 ^abc', '1.2.3 -'])('refuses the invalid range %p', (range) => {
    expect(sut(range)).toMatch(/is not a semver range/);
  });

  it.each(['', '   '])('refuses the blank range %p that npm would read as *', (range) => {
    expect(sut(range)).toMatch(/must not be blank/);
  });

  it.each(['>2.0.0 <1.0.0', '<0.0.0-0', '>=2.0.0 <1.0.0 || >3.0.0 <3.0.0'])('refuses %p, which no version satisfies', (range) => {
    expect(sut(range)).toMatch(/matches no version/);
  });

  it('accepts a range with one impossible alternative when another can match', () => {
    expect(sut('>=2.0.0 <1.0.0 || ^3.0.0')).toBeUndefined();
  });
});

describe(dependenciesViolations.name, () => {
  const sut = dependenciesViolations;

  it('accepts the dependencies of checkout-api', () => {
    expect(
      sut([
        { component: 'checkout-db', range: '>=14.1.0 <15.0.0' },
        { component: 'payments-contract', range: '^3.0.0' },
      ]),
    ).toEqual([]);
  });

  it('accepts no dependencies', () => {
    expect(sut([])).toEqual([]);
  });

  it('requires a list', () => {
    expect(sut({ component: 'a', range: '^1' })).toEqual([{ field: 'dependencies', message: expect.stringContaining('got an object') }]);
  });

  it('names every bad entry by index and field, all at once', () => {
    expect(sut(['checkout-db', { component: 'Checkout_DB', range: '^1' }, { component: 'a', range: 'abc' }, { component: 'b' }, { component: 'c', range: '^1', optional: true }])).toEqual([
      { field: 'dependencies[0]', message: expect.stringContaining("must be an object, got the string 'checkout-db'") },
      { field: 'dependencies[1].component', message: expect.stringContaining('lowercase') },
      { field: 'dependencies[2].range', message: expect.stringContaining("'abc' is not a semver range") },
      { field: 'dependencies[3].range', message: 'must be a semver range string, got undefined' },
      { field: 'dependencies[4].optional', message: expect.stringContaining('is not a known field') },
    ]);
  });

  it('requires the component to be named by text', () => {
    expect(sut([{ component: 7, range: '^1.0.0' }])).toEqual([{ field: 'dependencies[0].component', message: 'must name a component, got number 7' }]);
  });

  it('refuses two entries for one component', () => {
    expect(sut([{ component: 'a', range: '^1.0.0' }, { component: 'a', range: '<1.5.0' }])).toEqual([
      { field: 'dependencies[1].component', message: "duplicate dependency on 'a'; combine the ranges into one" },
    ]);
  });

  it('refuses a component depending on itself when the owner is known', () => {
    expect(sut([{ component: 'checkout-api', range: '^1.0.0' }], 'dependencies', 'checkout-api')).toEqual([
      { field: 'dependencies[0].component', message: "a component cannot depend on itself ('checkout-api')" },
    ]);
  });
});
