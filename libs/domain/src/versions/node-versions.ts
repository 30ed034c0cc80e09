/**
 * The version map of a location holds every version group deployed there that has not been
 * retired: during a rollout the stable group and the canary group both run, each on its own nodes.
 * A node is a version mismatch only when its discovered version is none of the versions its
 * component has in those groups.
 */

export interface DeployedGroupVersions {
  versionGroup: string;
  members: readonly { component: string; version: string }[];
  /** When it was (last) deployed to the location; orders groups newest first. */
  deployedAt: number;
}

export interface NodeVersionInput {
  component: string;
  discoveredVersion: string | null;
  /** The groups deployed to the node's location and not retired. */
  groups: readonly DeployedGroupVersions[];
  /**
   * The slot of the component in the location. Its version is expected too when it belongs to no
   * deployed group (a slot recorded before groups were tracked); a retired group's slot is not.
   */
  slot: { version: string; versionGroup: string | null } | null;
}

export interface NodeVersionStatus {
  /** The deployed groups whose version of the component is the discovered one. */
  versionGroups: string[];
  /** Every version of the component expected in the location, newest group first. */
  expectedVersions: string[];
  /** What the version map declares for this node: its own version when expected, else the slot's or the newest group's. */
  declaredVersion: string | null;
  mismatch: boolean;
}

export function nodeVersionStatus(input: NodeVersionInput): NodeVersionStatus {
  const groups = [...input.groups].sort((a, b) => b.deployedAt - a.deployedAt);
  const versionIn = (group: DeployedGroupVersions) => group.members.find((member) => member.component === input.component)?.version;
  const expected: string[] = [];
  const expect = (version: string | undefined): void => {
    if (version !== undefined && !expected.includes(version)) {
      expected.push(version);
    }
  };
  groups.forEach((group) => expect(versionIn(group)));
  if (input.slot && input.slot.versionGroup === null) {
    expect(input.slot.version);
  }
  const discovered = input.discoveredVersion;
  const matches = discovered !== null && expected.includes(discovered);
  const slotVersion = input.slot && expected.includes(input.slot.version) ? input.slot.version : undefined;
  return {
    versionGroups: matches ? groups.filter((group) => versionIn(group) === discovered).map((group) => group.versionGroup) : [],
    expectedVersions: expected,
    declaredVersion: matches ? discovered : (slotVersion ?? expected[0] ?? null),
    mismatch: discovered !== null && expected.length > 0 && !matches,
  };
}

export type RolloutOutcome = { phase: string; versionGroup: string };

export interface GroupRetirement {
  versionGroup: string;
  reason: string;
}

/**
 * Which deployed groups a rollout's end retires. Promoted: the canary replaced every group
 * deployed before it (the old stable; a group deployed after the canary is a newer candidate
 * and stays). Rolled back: the canary is gone. Any other phase retires nothing: the rollout may
 * still go either way, so both groups keep running.
 */
export function groupsRetiredByRollout(rollout: RolloutOutcome & { name: string }, deployed: readonly Pick<DeployedGroupVersions, 'versionGroup' | 'deployedAt'>[]): GroupRetirement[] {
  const canary = deployed.find((group) => group.versionGroup === rollout.versionGroup);
  if (!canary) {
    return [];
  }
  if (rollout.phase === 'promoted') {
    return deployed
      .filter((group) => group.versionGroup !== canary.versionGroup && group.deployedAt < canary.deployedAt)
      .map((group) => ({ versionGroup: group.versionGroup, reason: `replaced by ${canary.versionGroup}: rollout ${rollout.name} promoted` }));
  }
  if (rollout.phase === 'rolled-back') {
    return [{ versionGroup: canary.versionGroup, reason: `rollout ${rollout.name} rolled back` }];
  }
  return [];
}
