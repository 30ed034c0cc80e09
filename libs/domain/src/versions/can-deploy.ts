import { versionKey } from '../components/component-version';
import { resolveVersionGroup, VersionGroupCheck } from './resolution';
import { VersionConflict } from './version-conflicts';

/** The last health seen of a version (in any environment); absent from the map: never seen. */
export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface CanDeployQuestion extends VersionGroupCheck {
  /** Keyed by `versionKey(component, version)`, e.g. `checkout-api@2.4.0`. */
  health: ReadonlyMap<string, HealthStatus>;
}

/**
 * `yes`: nothing stands in the way. `no`: something does; `reasons` say what (and `missing` what
 * else is not known yet). `unknown`: nothing is known to be wrong, but `missing` lists what must
 * be known before answering yes.
 */
export interface CanDeployAnswer {
  answer: 'yes' | 'no' | 'unknown';
  reasons: string[];
  missing: string[];
  conflicts: VersionConflict[];
}

/**
 * The can-I-deploy dry run: the group's resolution against the environment, then what is known of
 * each member's health. A conflict or a member last seen unhealthy or degraded answers no; a member
 * whose health was never seen leaves the answer unknown.
 */
export function canDeploy(question: CanDeployQuestion): CanDeployAnswer {
  const resolution = resolveVersionGroup(question);
  const conflicts = resolution.ok ? [] : resolution.conflicts;
  const reasons = conflicts.map((conflict) => conflict.message);
  const missing: string[] = [];
  const members = [...question.members].sort((left, right) => (left.component < right.component ? -1 : left.component > right.component ? 1 : 0));
  for (const member of members) {
    const key = versionKey(member.component, member.version);
    const health = question.health.get(key);
    if (health === undefined) {
      missing.push(`health of ${key} was never seen`);
    } else if (health !== 'healthy') {
      reasons.push(`${key} was last seen ${health}`);
    }
  }
  if (reasons.length > 0) {
    return { answer: 'no', reasons, missing, conflicts };
  }
  return { answer: missing.length > 0 ? 'unknown' : 'yes', reasons, missing, conflicts };
}
