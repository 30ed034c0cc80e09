import { ComponentVersion } from '../components/component-version';
import { DomainError } from '../errors/domain-error';
import { requiresMajorBump } from '../versions/bump';
import { Break } from '../versions/bump';
import { breakingOpenApiChanges } from './openapi-diff';
import { lintSchemaMigration } from './schema-migration-lint';

type BreakingChangeDetector = (previous: ComponentVersion, next: ComponentVersion) => Promise<Break[]>;

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
export async function breakingChangesOf(previous: ComponentVersion | undefined, next: ComponentVersion): Promise<Break[]> {
  const detect = DETECTORS[next.type];
  return previous && detect ? detect(previous, next) : [];
}

/**
 * A breaking change needs a bump that breaks `^previous` (a major one, or a minor one below 1.0.0),
 * or an explicit override whose reason is audited. Throws a Conflict listing every break otherwise.
 */
export function assertBreaksAllowed(previous: ComponentVersion | undefined, next: ComponentVersion, breaks: readonly Break[], override: { reason: string } | undefined): void {
  if (!previous || override) {
    return;
  }
  try {
    requiresMajorBump(breaks, { component: next.component, previous: previous.version, next: next.version });
  } catch (error) {
    if (error instanceof DomainError) {
      throw new DomainError(error.code, `${error.message}, or register it with a breakingOverride giving the reason`, error.violations);
    }
    throw error;
  }
}
