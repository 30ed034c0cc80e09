import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { DependentVersion } from './dependency-graph';
import { assertVersionGroupResolves, resolveVersionGroup, VersionGroupCheck, VersionGroupResolution } from './resolution';
import { VersionConflict } from './version-conflicts';

function version(component: string, semver: string, dependsOn: Record<string, string> = {}): DependentVersion {
  return { component, version: semver, dependencies: Object.entries(dependsOn).map(([name, range]) => ({ component: name, range })) };
}

function conflictsOf(resolution: VersionGroupResolution): VersionConflict[] {
  return resolution.ok ? [] : resolution.conflicts;
}

function messagesOf(resolution: VersionGroupResolution): string[] {
  return conflictsOf(resolution).map((conflict) => conflict.message);
}

const environment = 'production';

/** The version group of the example manifest. */
const checkoutGroup = [
  version('checkout-db', '14.1.0'),
  version('checkout-api', '2.4.0', { 'checkout-db': '>=14.1.0 <15.0.0', 'payments-contract': '^3.0.0' }),
  version('payments-contract', '3.2.0'),
  version('edge-lb', '7.0.0', { 'checkout-api': '^2.0.0' }),
  version('checkout-netpol', '5.0.0'),
];

/** What production ran before it. */
const productionBefore = [
  version('checkout-db', '13.2.0'),
  version('checkout-api', '2.3.1', { 'checkout-db': '^13.0.0', 'payments-contract': '^3.0.0' }),
  version('payments-contract', '3.1.0'),
  version('edge-lb', '6.4.0', { 'checkout-api': '^2.0.0' }),
  version('checkout-netpol', '4.0.0'),
];

describe(resolveVersionGroup.name, () => {
  const sut = (members: DependentVersion[], deployed: DependentVersion[] = []): VersionGroupResolution => resolveVersionGroup({ environment, members, deployed });

  describe('the resulting set', () => {
    it('accepts the example group replacing everything deployed', () => {
      const resolution = sut(checkoutGroup, productionBefore);
      expect(resolution.ok).toBe(true);
      expect(resolution.resolved.map((node) => `${node.component}@${node.version}:${node.origin}`)).toEqual([
        'checkout-api@2.4.0:member',
        'checkout-db@14.1.0:member',
        'checkout-netpol@5.0.0:member',
        'edge-lb@7.0.0:member',
        'payments-contract@3.2.0:member',
      ]);
    });

    it('keeps deployed versions no member replaces, and checks members against them', () => {
      const resolution = sut([version('checkout-api', '2.4.0', { 'checkout-db': '>=14.1.0 <15.0.0', 'payments-contract': '^3.0.0' }), version('checkout-db', '14.1.0')], productionBefore);
      expect(resolution).toEqual(expect.objectContaining({ ok: true, preexisting: [] }));
      expect(resolution.resolved.map((node) => `${node.component}@${node.version}:${node.origin}`)).toEqual([
        'checkout-api@2.4.0:member',
        'checkout-db@14.1.0:member',
        'checkout-netpol@4.0.0:deployed',
        'edge-lb@6.4.0:deployed',
        'payments-contract@3.1.0:deployed',
      ]);
    });

    it('replaces every deployed version of a member’s component, canaries included', () => {
      const resolution = sut([version('checkout-api', '2.5.0')], [version('checkout-api', '2.3.1'), version('checkout-api', '2.4.0')]);
      expect(resolution.resolved.map((node) => node.version)).toEqual(['2.5.0']);
    });

    it('accepts a member that is the version already deployed', () => {
      const resolution = sut([version('checkout-db', '13.2.0')], productionBefore);
      expect(resolution.ok).toBe(true);
      expect(resolution.resolved.filter((node) => node.component === 'checkout-db')).toEqual([expect.objectContaining({ origin: 'member' })]);
    });

    it('lists a version deployed twice once', () => {
      expect(sut([version('a', '1.0.0')], [version('b', '1.0.0'), version('b', '1.0.0')]).resolved).toHaveLength(2);
    });
  });

  describe('unsatisfied ranges', () => {
    it('explains a member needing more than what stays deployed', () => {
      const resolution = sut([version('checkout-api', '2.4.0', { 'checkout-db': '>=14.1.0 <15.0.0' })], [version('checkout-db', '13.2.0')]);
      expect(messagesOf(resolution)).toEqual(['checkout-api@2.4.0 needs checkout-db >=14.1.0 <15.0.0 but checkout-db@13.2.0 stays deployed in production']);
      expect(conflictsOf(resolution)).toEqual([
        {
          kind: 'unsatisfied-range',
          dependent: { component: 'checkout-api', version: '2.4.0', origin: 'member' },
          dependency: { component: 'checkout-db', range: '>=14.1.0 <15.0.0' },
          found: { component: 'checkout-db', version: '13.2.0', origin: 'deployed' },
          message: expect.any(String),
        },
      ]);
    });

    it('explains a member needing more than another member', () => {
      const resolution = sut([version('checkout-api', '2.4.0', { 'checkout-db': '^14.1.0' }), version('checkout-db', '14.0.2')]);
      expect(messagesOf(resolution)).toEqual(['checkout-api@2.4.0 needs checkout-db ^14.1.0 but the group proposes checkout-db@14.0.2']);
    });

    it('explains a member breaking what stays deployed', () => {
      const resolution = sut([version('checkout-db', '15.0.0')], [version('checkout-api', '2.4.0', { 'checkout-db': '>=14.1.0 <15.0.0' }), version('checkout-db', '14.1.0')]);
      expect(messagesOf(resolution)).toEqual([
        'checkout-api@2.4.0, which stays deployed in production, needs checkout-db >=14.1.0 <15.0.0 but the group proposes checkout-db@15.0.0',
      ]);
    });

    it('checks every deployed version of a provider, so a canary must satisfy too', () => {
      const resolution = sut([version('edge-lb', '7.0.0', { 'checkout-api': '^2.0.0' })], [version('checkout-api', '2.4.0'), version('checkout-api', '3.0.0-rc.1')]);
      expect(messagesOf(resolution)).toEqual([
        'edge-lb@7.0.0 needs checkout-api ^2.0.0 but checkout-api@3.0.0-rc.1 stays deployed in production',
      ]);
    });

    it('reports every conflict at once, in a stable order', () => {
      const members = [
        version('checkout-api', '2.4.0', { 'checkout-db': '^14.1.0', 'payments-contract': '^3.0.0', 'fraud-api': '^1.0.0' }),
        version('edge-lb', '7.0.0', { 'checkout-api': '^3.0.0' }),
      ];
      const deployed = [version('checkout-db', '13.2.0'), version('payments-contract', '2.9.0')];
      const messages = messagesOf(sut(members, deployed));
      expect(messages).toEqual([
        'checkout-api@2.4.0 needs checkout-db ^14.1.0 but checkout-db@13.2.0 stays deployed in production',
        'checkout-api@2.4.0 needs payments-contract ^3.0.0 but payments-contract@2.9.0 stays deployed in production',
        'checkout-api@2.4.0 needs fraud-api ^1.0.0 but no version of fraud-api is in the group or deployed in production',
        'edge-lb@7.0.0 needs checkout-api ^3.0.0 but the group proposes checkout-api@2.4.0',
      ]);
      expect(messagesOf(sut([...members].reverse(), [...deployed].reverse()))).toEqual(messages);
    });
  });

  describe('npm range semantics', () => {
    it.each([
      ['^1.2.3', '1.9.9', true],
      ['^1.2.3', '2.0.0', false],
      ['^1.2.3', '1.2.2', false],
      ['^0.2.3', '0.2.9', true],
      ['^0.2.3', '0.3.0', false],
      ['^0.0.3', '0.0.3', true],
      ['^0.0.3', '0.0.4', false],
      ['^0.x', '0.9.0', true],
      ['^0.x', '1.0.0', false],
      ['~1.2.3', '1.2.9', true],
      ['~1.2.3', '1.3.0', false],
      ['~1', '1.9.0', true],
      ['~0.2.3', '0.2.4', true],
      ['1.2.3 - 2.3.4', '2.3.4', true],
      ['1.2.3 - 2.3.4', '2.3.5', false],
      ['1.2.3 - 2.3.4', '1.2.2', false],
      ['1.2 - 2', '2.9.9', true],
      ['1.2 - 2', '3.0.0', false],
      ['*', '0.0.1', true],
      ['*', '99.0.0', true],
      ['1.x', '1.4.0', true],
      ['1.x', '2.0.0', false],
      ['>=14.1.0 <15.0.0', '14.9.3', true],
      ['>=14.1.0 <15.0.0', '15.0.0', false],
      ['^1.0.0 || ^3.0.0', '3.1.0', true],
      ['^1.0.0 || ^3.0.0', '2.0.0', false],
      ['^1.2.3', '1.2.3+build.7', true],
      ['=1.2.3', '1.2.3', true],
      // Prereleases: matched only by a range naming a prerelease of the same major.minor.patch.
      ['*', '1.0.0-rc.1', false],
      ['>=1.0.0', '2.0.0-rc.1', false],
      ['^1.2.3-beta.2', '1.2.3-beta.4', true],
      ['^1.2.3-beta.2', '1.2.3-beta.1', false],
      ['^1.2.3-beta.2', '1.2.4-beta.1', false],
      ['^1.2.3-beta.2', '1.2.4', true],
      ['>=14.1.0 <15.0.0', '15.0.0-rc.1', false],
      ['~2.0.0-rc.1', '2.0.0-rc.5', true],
      ['1.0.0-rc.1 - 1.0.0', '1.0.0-rc.2', true],
    ])('%p against %p: satisfied %p', (range, provided, satisfied) => {
      const resolution = sut([version('app', '1.0.0', { lib: range })], [version('lib', provided)]);
      expect(resolution.ok).toBe(satisfied);
    });

    it('explains the prerelease rule when it alone refuses a version', () => {
      expect(messagesOf(sut([version('app', '1.0.0', { lib: '>=14.1.0 <15.0.0' })], [version('lib', '14.2.0-rc.1')]))).toEqual([
        'app@1.0.0 needs lib >=14.1.0 <15.0.0 but lib@14.2.0-rc.1 stays deployed in production (a prerelease satisfies a range only when the range names a prerelease of the same 14.2.0)',
      ]);
    });

    it('gives no prerelease hint when the version is out of range anyway', () => {
      expect(messagesOf(sut([version('app', '1.0.0', { lib: '^14.1.0' })], [version('lib', '15.0.0-rc.1')]))).toEqual([
        'app@1.0.0 needs lib ^14.1.0 but lib@15.0.0-rc.1 stays deployed in production',
      ]);
    });
  });

  describe('invalid input', () => {
    it.each(['abc', '>>1.0.0', '', '>2.0.0 <1.0.0'])('reports the unusable range %p instead of throwing', (range) => {
      const [conflict] = conflictsOf(sut([version('app', '1.0.0', { lib: range })], [version('lib', '1.0.0')]));
      expect(conflict).toEqual({
        kind: 'invalid-range',
        dependent: { component: 'app', version: '1.0.0', origin: 'member' },
        dependency: { component: 'lib', range },
        message: expect.stringMatching(/^app@1\.0\.0 declares an unusable range for lib: /),
      });
    });

    it('reports a version that is not SemVer once, not once per dependent', () => {
      const resolution = sut([version('lib', 'v2.0.0'), version('a', '1.0.0', { lib: '^2.0.0' }), version('b', '1.0.0', { lib: '^2.0.0' })]);
      expect(messagesOf(resolution)).toEqual(['lib@v2.0.0 (member) is not a SemVer 2.0 version, so no range can be checked against it']);
    });
  });

  describe('missing dependencies', () => {
    it('explains a dependency on a component neither proposed nor deployed', () => {
      const resolution = sut([version('checkout-api', '2.4.0', { 'payments-contract': '^3.0.0' })], [version('checkout-db', '14.1.0')]);
      expect(conflictsOf(resolution)).toEqual([
        {
          kind: 'missing-dependency',
          dependent: { component: 'checkout-api', version: '2.4.0', origin: 'member' },
          dependency: { component: 'payments-contract', range: '^3.0.0' },
          message: 'checkout-api@2.4.0 needs payments-contract ^3.0.0 but no version of payments-contract is in the group or deployed in production',
        },
      ]);
    });
  });

  describe('one version per component', () => {
    it('refuses two versions of one component among members', () => {
      const resolution = sut([version('checkout-api', '2.4.0'), version('checkout-db', '14.1.0'), version('checkout-api', '2.5.0')]);
      expect(conflictsOf(resolution)).toEqual([
        {
          kind: 'duplicate-member',
          component: 'checkout-api',
          versions: ['2.4.0', '2.5.0'],
          message: 'the group lists checkout-api 2 times (2.4.0, 2.5.0); a version group holds exactly one version per component',
        },
      ]);
    });

    it('refuses the same member listed twice', () => {
      expect(conflictsOf(sut([version('a', '1.0.0'), version('a', '1.0.0')])).map((conflict) => conflict.kind)).toEqual(['duplicate-member']);
    });

    it('still checks the dependencies of each duplicate', () => {
      const kinds = conflictsOf(sut([version('a', '1.0.0', { b: '^1' }), version('a', '2.0.0', { b: '^2' }), version('b', '1.0.0')])).map((conflict) => conflict.kind);
      expect(kinds).toEqual(['duplicate-member', 'unsatisfied-range']);
    });

    it('refuses a group without members', () => {
      expect(messagesOf(sut([], productionBefore))).toEqual(['the version group has no members; name at least one component version']);
    });
  });

  describe('cycles', () => {
    it('reports a cycle of length 1: a member depending on its own component', () => {
      const resolution = sut([version('a', '1.0.0', { a: '^1.0.0' })]);
      expect(conflictsOf(resolution)).toEqual([
        {
          kind: 'dependency-cycle',
          path: [
            { component: 'a', version: '1.0.0', origin: 'member' },
            { component: 'a', version: '1.0.0', origin: 'member' },
          ],
          tangle: [{ component: 'a', version: '1.0.0', origin: 'member' }],
          message: 'dependency cycle: a@1.0.0 (member) → a@1.0.0 (member)',
        },
      ]);
    });

    it('reports a cycle of length 2 through a deployed version', () => {
      expect(messagesOf(sut([version('a', '1.0.0', { b: '^1.0.0' })], [version('b', '1.0.0', { a: '^1.0.0' })]))).toEqual([
        'dependency cycle: a@1.0.0 (member) → b@1.0.0 (deployed) → a@1.0.0 (member)',
      ]);
    });

    it('reports a cycle of length 3 along with other conflicts', () => {
      const members = [version('a', '1.0.0', { b: '^1.0.0' }), version('b', '1.0.0', { c: '^2.0.0' }), version('c', '1.0.0', { a: '^1.0.0' })];
      expect(messagesOf(sut(members))).toEqual([
        'b@1.0.0 needs c ^2.0.0 but the group proposes c@1.0.0',
        'dependency cycle: a@1.0.0 (member) → b@1.0.0 (member) → c@1.0.0 (member) → a@1.0.0 (member)',
      ]);
    });

    it('blocks on a cycle whose tangle holds a member even when the reported path does not', () => {
      // b ⇄ c is the shortest cycle through b; the member x is tangled with them through c → x → c.
      const resolution = sut([version('x', '1.0.0', { c: '*' })], [version('b', '1.0.0', { c: '*' }), version('c', '1.0.0', { b: '*', x: '*' })]);
      expect(resolution.ok).toBe(false);
      expect(messagesOf(resolution)).toEqual(['dependency cycle: b@1.0.0 (deployed) → c@1.0.0 (deployed) → b@1.0.0 (deployed)']);
    });
  });

  describe('conflicts that predate the group', () => {
    it('does not block on conflicts among deployed versions alone, but returns them', () => {
      const resolution = sut([version('checkout-netpol', '5.0.0')], [
        version('checkout-api', '2.4.0', { 'checkout-db': '^14.0.0', 'fraud-api': '^1.0.0' }),
        version('checkout-db', '13.2.0'),
        version('x', '1.0.0', { y: '*' }),
        version('y', '1.0.0', { x: '*' }),
      ]);
      expect(resolution.ok).toBe(true);
      expect(resolution.preexisting.map((conflict) => conflict.message)).toEqual([
        'checkout-api@2.4.0, which stays deployed in production, needs checkout-db ^14.0.0 but checkout-db@13.2.0 stays deployed in production',
        'checkout-api@2.4.0, which stays deployed in production, needs fraud-api ^1.0.0 but no version of fraud-api is in the group or deployed in production',
        'dependency cycle: x@1.0.0 (deployed) → y@1.0.0 (deployed) → x@1.0.0 (deployed)',
      ]);
    });

    it('lets a group fix a conflict that predates it', () => {
      const deployed = [version('checkout-api', '2.4.0', { 'checkout-db': '^14.0.0' }), version('checkout-db', '13.2.0')];
      expect(sut([version('checkout-db', '14.1.0')], deployed)).toEqual(expect.objectContaining({ ok: true, preexisting: [] }));
    });
  });
});

describe(assertVersionGroupResolves.name, () => {
  const check = (members: DependentVersion[], deployed: DependentVersion[] = []): VersionGroupCheck => ({ environment: 'staging', members, deployed });

  it('returns the resolved set', () => {
    expect(assertVersionGroupResolves(check(checkoutGroup))).toHaveLength(5);
  });

  it('throws a conflict error naming each conflict by the member involved', () => {
    let caught: unknown;
    try {
      assertVersionGroupResolves(
        check(
          [version('checkout-db', '15.0.0'), version('edge-lb', '7.0.0', { 'checkout-api': '^3.0.0', cdn: '^1.0.0' }), version('a', '1.0.0', { a: '*' }), version('b', '1.0.0'), version('b', '2.0.0')],
          [version('checkout-api', '2.4.0', { 'checkout-db': '^14.0.0' })],
        ),
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainError);
    const error = caught as DomainError;
    expect(error.code).toBe(DomainErrorCode.Conflict);
    expect(error.message).toBe('the version group cannot be deployed to staging: 5 conflicts');
    expect(error.violations.map((violation) => violation.field)).toEqual(['members.b', 'members.checkout-db', 'members.edge-lb', 'members.edge-lb', 'members.a']);
  });

  it('names a lone conflict in the singular', () => {
    expect(() => assertVersionGroupResolves(check([]))).toThrow('the version group cannot be deployed to staging: 1 conflict');
  });

  it('points an invalid member version at that member', () => {
    expect(() => assertVersionGroupResolves(check([version('a', '1.0')]))).toThrow(expect.objectContaining({ violations: [expect.objectContaining({ field: 'members.a' })] }) as DomainError);
  });
});

describe('diamond dependencies', () => {
  // app → (cart, pricing) → money: both sides of the diamond must accept the one money version.
  const diamond = (money: string) => [
    version('app', '1.0.0', { cart: '^2.0.0', pricing: '^5.0.0' }),
    version('cart', '2.1.0', { money: '^1.0.0' }),
    version('pricing', '5.3.0', { money: '>=1.2.0 <2.0.0' }),
    version('money', money),
  ];
  const sut = (members: DependentVersion[]) => resolveVersionGroup({ environment: 'production', members, deployed: [] });

  it('resolves when the shared dependency satisfies both sides', () => {
    expect(sut(diamond('1.3.0')).ok).toBe(true);
  });

  it('names only the side whose range the shared dependency misses', () => {
    expect(messagesOf(sut(diamond('1.1.0')))).toEqual([expect.stringMatching(/^pricing@5\.3\.0 needs money >=1\.2\.0 <2\.0\.0 but .*money@1\.1\.0/)]);
  });

  it('names both sides when it misses both', () => {
    const conflicts = conflictsOf(sut(diamond('2.0.0')));
    expect(conflicts.map((conflict) => (conflict.kind === 'unsatisfied-range' ? conflict.dependent.component : conflict.kind)).sort()).toEqual(['cart', 'pricing']);
  });

  it('is a cycle, not a diamond, when the shared dependency depends back on the top', () => {
    const members = [...diamond('1.3.0').slice(0, 3), version('money', '1.3.0', { app: '^1.0.0' })];
    expect(conflictsOf(sut(members)).map((conflict) => conflict.kind)).toEqual(['dependency-cycle']);
  });
});
