import { satisfies } from 'semver';
import { DependencyDeclaration, versionKey } from '../components/component-version';
import { parseStrictVersion, rangeProblem } from '../components/semver-fields';
import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { compareByComponentAndVersion, DependencyGraph, DependentVersion } from './dependency-graph';
import { conflictInvolvesMember, PlacedVersion, VersionConflict, VersionOrigin } from './version-conflicts';

export interface VersionGroupCheck {
  /** The target environment, named in explanations. */
  environment: string;
  /** The proposed versions: exactly one per component. */
  members: readonly DependentVersion[];
  /**
   * What is deployed in the environment now. A deployed version stays unless a member of the same
   * component replaces it; several versions of one component may be deployed (a canary).
   */
  deployed: readonly DependentVersion[];
}

export interface ResolvedVersion extends DependentVersion {
  origin: VersionOrigin;
}

export type VersionGroupResolution =
  | { ok: true; resolved: ResolvedVersion[]; preexisting: VersionConflict[] }
  | { ok: false; conflicts: VersionConflict[]; resolved: ResolvedVersion[]; preexisting: VersionConflict[] };

/** npm's semantics: a prerelease satisfies a range only if the range names a prerelease of the same x.y.z. */
const NPM_RANGE_OPTIONS = { includePrerelease: false, loose: false };

/**
 * Checks a proposed version group against what stays deployed, all together: one version per
 * component among members, every dependency range satisfied by every version of that component
 * in the resulting set, no dependency on an absent component, no dependency cycle.
 *
 * Conflicts the group causes or suffers block it (`conflicts`). Conflicts among deployed versions
 * alone predate the group and do not block it; they are returned as `preexisting` so the caller
 * can still warn about them.
 */
export function resolveVersionGroup(check: VersionGroupCheck): VersionGroupResolution {
  const resolved = resultingSet(check);
  const all = [...memberShapeConflicts(check.members), ...resultingSetConflicts(resolved, check.environment)];
  const conflicts = all.filter(conflictInvolvesMember);
  const preexisting = all.filter((conflict) => !conflictInvolvesMember(conflict));
  return conflicts.length === 0 ? { ok: true, resolved, preexisting } : { ok: false, conflicts, resolved, preexisting };
}

/** For services: the resolved set, or a Conflict error naming each blocking conflict by member. */
export function assertVersionGroupResolves(check: VersionGroupCheck): ResolvedVersion[] {
  const resolution = resolveVersionGroup(check);
  if (resolution.ok) {
    return resolution.resolved;
  }
  const count = resolution.conflicts.length;
  throw new DomainError(
    DomainErrorCode.Conflict,
    `the version group cannot be deployed to ${check.environment}: ${count} conflict${count === 1 ? '' : 's'}`,
    resolution.conflicts.map((conflict) => ({ field: conflictField(conflict), message: conflict.message })),
  );
}

function conflictField(conflict: VersionConflict): string {
  switch (conflict.kind) {
    case 'no-members':
      return 'members';
    case 'duplicate-member':
      return `members.${conflict.component}`;
    case 'invalid-version':
      return `members.${conflict.subject.component}`;
    case 'invalid-range':
    case 'missing-dependency':
    case 'unsatisfied-range': {
      const member = conflict.kind === 'unsatisfied-range' && conflict.dependent.origin !== 'member' ? conflict.found : conflict.dependent;
      return `members.${member.component}`;
    }
    case 'dependency-cycle': {
      const member = conflict.tangle.find((placed) => placed.origin === 'member') ?? conflict.path[0];
      return `members.${member.component}`;
    }
  }
}

function memberShapeConflicts(members: readonly DependentVersion[]): VersionConflict[] {
  if (members.length === 0) {
    return [{ kind: 'no-members', message: 'the version group has no members; name at least one component version' }];
  }
  const versionsByComponent = new Map<string, string[]>();
  for (const member of members) {
    versionsByComponent.set(member.component, [...(versionsByComponent.get(member.component) ?? []), member.version]);
  }
  return [...versionsByComponent.entries()]
    .filter(([, versions]) => versions.length > 1)
    .sort(([left], [right]) => (left < right ? -1 : 1))
    .map(([component, versions]) => ({
      kind: 'duplicate-member',
      component,
      versions,
      message: `the group lists ${component} ${versions.length} times (${versions.join(', ')}); a version group holds exactly one version per component`,
    }));
}

/** Members, plus every deployed version whose component no member replaces; each version once. */
function resultingSet(check: VersionGroupCheck): ResolvedVersion[] {
  const replaced = new Set(check.members.map((member) => member.component));
  const candidates: ResolvedVersion[] = [
    ...check.members.map((member) => place(member, 'member')),
    ...check.deployed.filter((deployed) => !replaced.has(deployed.component)).map((deployed) => place(deployed, 'deployed')),
  ];
  const byKey = new Map<string, ResolvedVersion>();
  for (const candidate of candidates) {
    const key = versionKey(candidate.component, candidate.version);
    if (!byKey.has(key)) {
      byKey.set(key, candidate);
    }
  }
  return [...byKey.values()].sort(compareByComponentAndVersion);
}

function place(version: DependentVersion, origin: VersionOrigin): ResolvedVersion {
  return { component: version.component, version: version.version, dependencies: version.dependencies, origin };
}

function placed(version: ResolvedVersion): PlacedVersion {
  return { component: version.component, version: version.version, origin: version.origin };
}

function resultingSetConflicts(resolved: readonly ResolvedVersion[], environment: string): VersionConflict[] {
  const conflicts: VersionConflict[] = [];
  for (const version of resolved) {
    if (!parseStrictVersion(version.version)) {
      conflicts.push({
        kind: 'invalid-version',
        subject: placed(version),
        message: `${describeOrigin(placed(version))} is not a SemVer 2.0 version, so no range can be checked against it`,
      });
    }
  }
  for (const dependent of resolved) {
    for (const dependency of dependent.dependencies) {
      conflicts.push(...dependencyConflicts(dependent, dependency, resolved, environment));
    }
  }
  for (const cycle of new DependencyGraph(resolved).cycles()) {
    const path = cycle.path.map(placed);
    conflicts.push({ kind: 'dependency-cycle', path, tangle: cycle.tangle.map(placed), message: `dependency cycle: ${path.map(describeOrigin).join(' → ')}` });
  }
  return conflicts;
}

function dependencyConflicts(dependent: ResolvedVersion, dependency: DependencyDeclaration, resolved: readonly ResolvedVersion[], environment: string): VersionConflict[] {
  if (dependency.component === dependent.component) {
    // A version depending on its own component is a cycle of one, reported as such.
    return [];
  }
  const who = describeDependent(placed(dependent), environment);
  const problem = rangeProblem(dependency.range);
  if (problem) {
    return [{ kind: 'invalid-range', dependent: placed(dependent), dependency, message: `${who} declares an unusable range for ${dependency.component}: ${problem}` }];
  }
  const providers = resolved.filter((candidate) => candidate.component === dependency.component);
  if (providers.length === 0) {
    return [
      {
        kind: 'missing-dependency',
        dependent: placed(dependent),
        dependency,
        message: `${who} needs ${dependency.component} ${dependency.range} but no version of ${dependency.component} is in the group or deployed in ${environment}`,
      },
    ];
  }
  // A provider with an invalid version is reported once as such, not once per dependent.
  return providers
    .filter((provider) => parseStrictVersion(provider.version) && !satisfies(provider.version, dependency.range, NPM_RANGE_OPTIONS))
    .map((provider) => ({
      kind: 'unsatisfied-range',
      dependent: placed(dependent),
      dependency,
      found: placed(provider),
      message: `${who} needs ${dependency.component} ${dependency.range} but ${describeFound(placed(provider), environment)}${prereleaseHint(provider.version, dependency.range)}`,
    }));
}

/** The prerelease rule surprises people; say so when it is the only reason a version is refused. */
function prereleaseHint(version: string, range: string): string {
  const parsed = parseStrictVersion(version);
  if (parsed && parsed.prerelease.length > 0 && satisfies(version, range, { includePrerelease: true })) {
    return ` (a prerelease satisfies a range only when the range names a prerelease of the same ${parsed.major}.${parsed.minor}.${parsed.patch})`;
  }
  return '';
}

/** `checkout-api@2.4.0` for a member; `…, which stays deployed in production,` otherwise. */
function describeDependent(dependent: PlacedVersion, environment: string): string {
  const name = versionKey(dependent.component, dependent.version);
  return dependent.origin === 'member' ? name : `${name}, which stays deployed in ${environment},`;
}

/** What stands where a dependency was expected: proposed by the group, or staying deployed. */
function describeFound(found: PlacedVersion, environment: string): string {
  const name = versionKey(found.component, found.version);
  return found.origin === 'member' ? `the group proposes ${name}` : `${name} stays deployed in ${environment}`;
}

function describeOrigin(placed: PlacedVersion): string {
  return `${versionKey(placed.component, placed.version)} (${placed.origin})`;
}
