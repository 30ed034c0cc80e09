import { gt, valid } from 'semver';
import type { DeployedGroup, SkippedGroup } from './app-version-proposal';

/** What predictive-staging saw of a version group while it ran: KPI windows kept under it, and whether a regression anomaly was. */
export interface GroupRecord {
  windows: number;
  regressed: boolean;
}

export type HealthyInStagingChoice =
  | { found: true; proposed: { versionGroup: string; version: string; deployedAt: number; windows: number }; skipped: SkippedGroup[] }
  | { found: false; reason: string; skipped: SkippedGroup[] };

/**
 * A newer version of `component` that is healthy in staging, for a regression of `runningVersion`:
 * a version group deployed to the environment's staging location that carries the component at a
 * version above the running one (semver), under which at least `minWindows` KPI windows were kept
 * (it ran and was measured, not merely deployed) and no regression anomaly was recorded. The
 * highest version wins (the newest fix), then the latest staging deployment of it. A group staged
 * more than once is judged once, at its newest deployment.
 */
export function chooseNewerHealthyInStaging(
  staging: readonly DeployedGroup[],
  component: string,
  runningVersion: string,
  records: ReadonlyMap<string, GroupRecord>,
  minWindows: number,
): HealthyInStagingChoice {
  const skipped: SkippedGroup[] = [];
  const judged = new Set<string>();
  let best: { versionGroup: string; version: string; deployedAt: number; windows: number } | undefined;
  for (const deployment of staging) {
    if (judged.has(deployment.versionGroup)) continue;
    judged.add(deployment.versionGroup);
    const version = deployment.members.find((member) => member.component === component)?.version;
    const record = records.get(deployment.versionGroup) ?? { windows: 0, regressed: false };
    const why =
      version === undefined
        ? `does not carry ${component}`
        : valid(version) === null || valid(runningVersion) === null
          ? `${component} ${version} cannot be compared with ${runningVersion} as semver`
          : !gt(version, runningVersion)
            ? `carries ${component} ${version}, not newer than ${runningVersion}`
            : record.regressed
              ? 'had a regression anomaly in staging'
              : record.windows < minWindows
                ? `${record.windows} KPI windows kept under it in staging, fewer than ${minWindows}`
                : null;
    if (why !== null) {
      skipped.push({ versionGroup: deployment.versionGroup, reason: why });
      continue;
    }
    if (best === undefined || gt(version as string, best.version)) {
      best = { versionGroup: deployment.versionGroup, version: version as string, deployedAt: deployment.deployedAt, windows: record.windows };
    }
  }
  if (best) return { found: true, proposed: best, skipped };
  const reason = staging.length === 0 ? 'no version group is known deployed to staging in this environment' : `no group in staging is a newer healthy ${component} (${skipped.map((group) => `${group.versionGroup}: ${group.reason}`).join('; ')})`;
  return { found: false, reason, skipped };
}
