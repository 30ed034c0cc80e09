import { DeployedGroupVersions, groupsRetiredByRollout, nodeVersionStatus } from './node-versions';

function aGroup(versionGroup: string, apiVersion: string, deployedAt: number): DeployedGroupVersions {
  return {
    versionGroup,
    deployedAt,
    members: [
      { component: 'api', version: apiVersion },
      { component: 'db', version: '14.0.0' },
    ],
  };
}

const stable = aGroup('A', '2.3.0', 1_000);
const canary = aGroup('B', '2.4.0', 2_000);

describe(nodeVersionStatus.name, () => {
  const sut = (discoveredVersion: string | null, groups = [stable, canary], slot: { version: string; versionGroup: string | null } | null = { version: '2.4.0', versionGroup: 'B' }) =>
    nodeVersionStatus({ component: 'api', discoveredVersion, groups, slot });

  it('flags neither the stable nor the canary nodes of a rollout', () => {
    expect(sut('2.3.0')).toEqual({ versionGroups: ['A'], expectedVersions: ['2.4.0', '2.3.0'], declaredVersion: '2.3.0', mismatch: false });
    expect(sut('2.4.0')).toEqual({ versionGroups: ['B'], expectedVersions: ['2.4.0', '2.3.0'], declaredVersion: '2.4.0', mismatch: false });
  });

  it('flags a version no deployed group has, declaring the slot version', () => {
    expect(sut('9.9.9')).toEqual({ versionGroups: [], expectedVersions: ['2.4.0', '2.3.0'], declaredVersion: '2.4.0', mismatch: true });
  });

  it('names every group a shared version belongs to', () => {
    expect(sut('2.3.0', [stable, aGroup('C', '2.3.0', 3_000)]).versionGroups).toEqual(['C', 'A']);
  });

  it('flags the stable version once its group is retired', () => {
    expect(sut('2.3.0', [canary]).mismatch).toBe(true);
  });

  it('does not expect the slot of a retired group (a rolled-back canary), but the newest group left', () => {
    expect(sut('2.4.0', [stable])).toMatchObject({ mismatch: true, declaredVersion: '2.3.0', expectedVersions: ['2.3.0'] });
  });

  it('expects the version of a slot that belongs to no group (recorded before groups were tracked)', () => {
    expect(sut('1.0.0', [], { version: '1.0.0', versionGroup: null })).toMatchObject({ mismatch: false, declaredVersion: '1.0.0' });
  });

  it('flags nothing where nothing is deployed, and a node whose version is not known yet', () => {
    expect(sut('2.3.0', [], null)).toEqual({ versionGroups: [], expectedVersions: [], declaredVersion: null, mismatch: false });
    expect(sut(null).mismatch).toBe(false);
  });
});

describe(groupsRetiredByRollout.name, () => {
  const later = aGroup('C', '2.5.0', 3_000);
  const deployed = [stable, canary, later];

  it('retires the groups deployed before a promoted canary, not a newer candidate', () => {
    expect(groupsRetiredByRollout({ name: 'r1', phase: 'promoted', versionGroup: 'B' }, deployed)).toEqual([{ versionGroup: 'A', reason: 'replaced by B: rollout r1 promoted' }]);
  });

  it('retires a rolled-back canary', () => {
    expect(groupsRetiredByRollout({ name: 'r1', phase: 'rolled-back', versionGroup: 'B' }, deployed)).toEqual([{ versionGroup: 'B', reason: 'rollout r1 rolled back' }]);
  });

  it.each(['pending', 'progressing', 'paused', 'aborted'])('retires nothing while the rollout is %s', (phase) => {
    expect(groupsRetiredByRollout({ name: 'r1', phase, versionGroup: 'B' }, deployed)).toEqual([]);
  });

  it('retires nothing for a canary not deployed there', () => {
    expect(groupsRetiredByRollout({ name: 'r1', phase: 'promoted', versionGroup: 'Z' }, deployed)).toEqual([]);
  });
});
