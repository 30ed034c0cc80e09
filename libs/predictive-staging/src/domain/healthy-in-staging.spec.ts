import type { DeployedGroup } from './app-version-proposal';
import { GroupRecord, chooseNewerHealthyInStaging } from './healthy-in-staging';

const staged = (versionGroup: string, version: string | null, deployedAt: number): DeployedGroup => ({
  versionGroup,
  members: version === null ? [{ component: 'db', version: '1.0.0' }] : [{ component: 'api', version }, { component: 'db', version: '1.0.0' }],
  deployedAt,
});
const healthy: GroupRecord = { windows: 30, regressed: false };

describe('chooseNewerHealthyInStaging', () => {
  it('proposes the highest newer version that ran healthy in staging', () => {
    const staging = [staged('g-2.1.0', '2.1.0', 3), staged('g-2.2.0', '2.2.0', 2), staged('g-1.9.0', '1.9.0', 1)];
    const records = new Map([
      ['g-2.1.0', healthy],
      ['g-2.2.0', healthy],
      ['g-1.9.0', healthy],
    ]);

    const choice = chooseNewerHealthyInStaging(staging, 'api', '2.0.0', records, 6);

    expect(choice).toEqual({
      found: true,
      proposed: { versionGroup: 'g-2.2.0', version: '2.2.0', deployedAt: 2, windows: 30 },
      skipped: [{ versionGroup: 'g-1.9.0', reason: 'carries api 1.9.0, not newer than 2.0.0' }],
    });
  });

  it('skips, with why, a group that regressed in staging, one barely measured, one without the component, and the same version', () => {
    const staging = [staged('g-reg', '2.3.0', 5), staged('g-new', '2.4.0', 4), staged('g-db', null, 3), staged('g-same', '2.0.0', 2)];
    const records = new Map<string, GroupRecord>([
      ['g-reg', { windows: 50, regressed: true }],
      ['g-new', { windows: 5, regressed: false }],
    ]);

    const choice = chooseNewerHealthyInStaging(staging, 'api', '2.0.0', records, 6);

    expect(choice.found).toBe(false);
    expect(choice.skipped).toEqual([
      { versionGroup: 'g-reg', reason: 'had a regression anomaly in staging' },
      { versionGroup: 'g-new', reason: '5 KPI windows kept under it in staging, fewer than 6' },
      { versionGroup: 'g-db', reason: 'does not carry api' },
      { versionGroup: 'g-same', reason: 'carries api 2.0.0, not newer than 2.0.0' },
    ]);
    expect(!choice.found && choice.reason).toMatch(/^no group in staging is a newer healthy api \(g-reg: had a regression/);
  });

  it('treats a group never measured as unmeasured, and a version that is not semver as incomparable', () => {
    const choice = chooseNewerHealthyInStaging([staged('g-x', '3.0.0', 2), staged('g-odd', 'latest', 1)], 'api', '2.0.0', new Map(), 1);

    expect(choice.skipped).toEqual([
      { versionGroup: 'g-x', reason: '0 KPI windows kept under it in staging, fewer than 1' },
      { versionGroup: 'g-odd', reason: 'api latest cannot be compared with 2.0.0 as semver' },
    ]);
  });

  it('judges a group staged twice once, at its newest deployment, and says when nothing was staged', () => {
    const again = chooseNewerHealthyInStaging([staged('g-3', '3.0.0', 9), staged('g-3', '3.0.0', 1)], 'api', '2.0.0', new Map([['g-3', healthy]]), 6);
    expect(again).toMatchObject({ found: true, proposed: { versionGroup: 'g-3', deployedAt: 9 } });

    expect(chooseNewerHealthyInStaging([], 'api', '2.0.0', new Map(), 6)).toEqual({ found: false, reason: 'no version group is known deployed to staging in this environment', skipped: [] });
  });

  it('prefers the higher version over the later staging deployment, prerelease ordering by semver', () => {
    const staging = [staged('g-rc', '2.1.0-rc.1', 3), staged('g-final', '2.1.0', 1)];
    const records = new Map([
      ['g-rc', healthy],
      ['g-final', healthy],
    ]);

    expect(chooseNewerHealthyInStaging(staging, 'api', '2.0.0', records, 6)).toMatchObject({ found: true, proposed: { versionGroup: 'g-final', version: '2.1.0' } });
  });
});
