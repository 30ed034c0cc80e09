import { SemVer } from 'semver';
import { parseStrictVersion } from '../components/semver-fields';
import { DomainError, DomainErrorCode } from '../errors/domain-error';

/**
 * A breaking change found between two versions of a component, as the OpenAPI diff and the SQL
 * migration lint report them.
 */
export interface Break {
  /** Stable and machine-readable: `operation-removed`, `drop-column`, … */
  kind: string;
  /** Where in the changed document: `GET /orders/{id}`, `statement 2 (line 5)`, … */
  location: string;
  message: string;
}

/** Which part of MAJOR.MINOR.PATCH moved; `prerelease` when only the prerelease part did. */
export type BumpKind = 'major' | 'minor' | 'patch' | 'prerelease';

export interface VersionBump {
  component: string;
  previous: string;
  next: string;
}

/** Classifies the move from `previous` to `next`, which must be strictly newer. */
export function classifyBump(previous: string, next: string): BumpKind {
  const [from, to] = parseBump(previous, next);
  if (to.major !== from.major) {
    return 'major';
  }
  if (to.minor !== from.minor) {
    return 'minor';
  }
  if (to.patch !== from.patch) {
    return 'patch';
  }
  return 'prerelease';
}

/**
 * Whether `next` leaves the compatibility line of `previous`, i.e. falls outside `^previous`:
 * dependents declare caret ranges, so a breaking change must not land inside one. Under 1.0.0 the
 * line is narrower, as npm's caret is: 0.3.0 breaks from 0.2.5, and 0.0.4 from 0.0.3.
 *
 * Prereleases of the first version of a new line (2.0.0-rc.1 → 2.0.0-rc.2 → 2.0.0) may break each
 * other: SemVer promises nothing between prereleases, and no release of an older line can reach
 * them without a major bump. Prereleases of 1.3.0 get no such pass, or a break could slip into 1.3.0.
 */
export function isBreakingBump(previous: string, next: string): boolean {
  const [from, to] = parseBump(previous, next);
  if (compatibilityLine(from) !== compatibilityLine(to)) {
    return true;
  }
  const sameRelease = from.major === to.major && from.minor === to.minor && from.patch === to.patch;
  return from.prerelease.length > 0 && sameRelease && startsLine(from);
}

/**
 * Refuses breaking changes shipped without a breaking (major) bump, listing every break at once.
 * Throws a Conflict DomainError whose violations name each break by its location.
 */
export function requiresMajorBump(breaks: readonly Break[], bump: VersionBump): void {
  if (breaks.length === 0 || isBreakingBump(bump.previous, bump.next)) {
    return;
  }
  const count = breaks.length === 1 ? '1 breaking change' : `${breaks.length} breaking changes`;
  throw new DomainError(
    DomainErrorCode.Conflict,
    `${bump.component} ${bump.previous} → ${bump.next} is a ${classifyBump(bump.previous, bump.next)} bump but has ${count}; release it as ${nextLineStart(bump.previous)} or later`,
    breaks.map((found) => ({ field: found.location, message: `${found.message} (${found.kind})` })),
  );
}

function parseBump(previous: string, next: string): [SemVer, SemVer] {
  const from = parseStrictVersion(previous);
  const to = parseStrictVersion(next);
  const violations = [
    ...(from ? [] : [{ field: 'previous', message: `'${previous}' is not a SemVer 2.0 version` }]),
    ...(to ? [] : [{ field: 'next', message: `'${next}' is not a SemVer 2.0 version` }]),
  ];
  if (!from || !to) {
    throw DomainError.invalid(`cannot compare ${previous} with ${next}`, violations);
  }
  if (to.compare(from) <= 0) {
    throw DomainError.invalid(`${next} is not newer than ${previous}`, [{ field: 'next', message: `must be newer than ${previous}` }]);
  }
  return [from, to];
}

/** The part of a version a caret range keeps fixed. */
function compatibilityLine(version: SemVer): string {
  if (version.major > 0) {
    return `${version.major}`;
  }
  if (version.minor > 0) {
    return `0.${version.minor}`;
  }
  return `0.0.${version.patch}`;
}

/** 2.0.0, 0.3.0 and every 0.0.z are the first release of their line. */
function startsLine(version: SemVer): boolean {
  if (version.major > 0) {
    return version.minor === 0 && version.patch === 0;
  }
  return version.minor === 0 || version.patch === 0;
}

/** Below 1.0.0 the minor starts a line; 0.0.z never needs a suggestion, since every 0.0.z starts its own. */
function nextLineStart(previous: string): string {
  const version = parseStrictVersion(previous) as SemVer;
  return version.major > 0 ? `${version.major + 1}.0.0` : `0.${version.minor + 1}.0`;
}
