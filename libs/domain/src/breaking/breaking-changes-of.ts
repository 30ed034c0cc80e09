import { major } from 'semver';
import { ComponentVersion } from '../components/component-version';
import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { BreakingChange } from './breaking-change';
import { breakingOpenApiChanges } from './openapi-diff';
import { lintSchemaMigration } from './schema-migration-lint';

type BreakingChangeDetector = (previous: ComponentVersion, next: ComponentVersion) => Promise<BreakingChange[]>;

function specField(version: ComponentVersion, field: string): unknown {
  const spec = version.spec;
  return typeof spec === 'object' && spec !== null ? (spec as Record<string, unknown>)[field] : undefined;
}

/** Types whose changes can break what depends on them, and how to find those breaks. */
const DETECTORS: Readonly<Record<string, BreakingChangeDetector>> = {
  'db-schema': (_previous, next) => {
    const up = specField(next, 'up');
    return typeof up === 'string' ? lintSchemaMigration(up, 'spec.up') : Promise.resolve([]);
  },
  'api-contract': async (previous, next) => breakingOpenApiChanges(specField(previous, 'openapi'), specField(next, 'openapi')),
};

/**
 * The breaking changes `next` brings over `previous` (the highest registered version below it).
 * The first version of a component is its baseline: there is nothing before it to break.
 */
export async function breakingChangesOf(previous: ComponentVersion | undefined, next: ComponentVersion): Promise<BreakingChange[]> {
  const detect = DETECTORS[next.type];
  return previous && detect ? detect(previous, next) : [];
}

export function isMajorBump(previous: string, next: string): boolean {
  return major(next) > major(previous);
}

/**
 * A breaking change needs a major version bump, or an explicit override whose reason is audited.
 * Throws a Conflict listing every break otherwise.
 */
export function assertBreaksAllowed(previous: ComponentVersion | undefined, next: ComponentVersion, breaks: readonly BreakingChange[], override: { reason: string } | undefined): void {
  if (!previous || breaks.length === 0 || isMajorBump(previous.version, next.version) || override) {
    return;
  }
  throw new DomainError(
    DomainErrorCode.Conflict,
    `${next.component}@${next.version} breaks ${next.component}@${previous.version} without a major version bump; bump to ${major(previous.version) + 1}.0.0 or register with a breakingOverride and its reason`,
    breaks.map((change) => ({ field: change.location, message: `${change.kind}: ${change.message}` })),
  );
}
