import { conflictInvolvesMember, PlacedVersion, VersionConflict } from './version-conflicts';

const member: PlacedVersion = { component: 'a', version: '1.0.0', origin: 'member' };
const deployed: PlacedVersion = { component: 'b', version: '1.0.0', origin: 'deployed' };
const dependency = { component: 'b', range: '^2.0.0' };

describe(conflictInvolvesMember.name, () => {
  const sut = conflictInvolvesMember;

  it.each<[string, VersionConflict, boolean]>([
    ['an empty group', { kind: 'no-members', message: '' }, true],
    ['duplicate members', { kind: 'duplicate-member', component: 'a', versions: ['1.0.0', '2.0.0'], message: '' }, true],
    ['an invalid member version', { kind: 'invalid-version', subject: member, message: '' }, true],
    ['an invalid deployed version', { kind: 'invalid-version', subject: deployed, message: '' }, false],
    ['an invalid range of a member', { kind: 'invalid-range', dependent: member, dependency, message: '' }, true],
    ['an invalid range of a deployed version', { kind: 'invalid-range', dependent: deployed, dependency, message: '' }, false],
    ['a member missing a dependency', { kind: 'missing-dependency', dependent: member, dependency, message: '' }, true],
    ['a deployed version missing a dependency', { kind: 'missing-dependency', dependent: deployed, dependency, message: '' }, false],
    ['a member unsatisfied by a deployed version', { kind: 'unsatisfied-range', dependent: member, dependency, found: deployed, message: '' }, true],
    ['a deployed version unsatisfied by a member', { kind: 'unsatisfied-range', dependent: deployed, dependency, found: member, message: '' }, true],
    ['deployed versions unsatisfied by each other', { kind: 'unsatisfied-range', dependent: deployed, dependency, found: { ...deployed, component: 'c' }, message: '' }, false],
    ['a cycle tangled with a member', { kind: 'dependency-cycle', path: [deployed, deployed], tangle: [member, deployed], message: '' }, true],
    ['a cycle among deployed versions', { kind: 'dependency-cycle', path: [deployed, deployed], tangle: [deployed], message: '' }, false],
  ])('blames the group for %s: %p', (_, conflict, blamed) => {
    expect(sut(conflict)).toBe(blamed);
  });
});
