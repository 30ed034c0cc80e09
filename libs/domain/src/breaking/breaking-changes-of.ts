import { ComponentVersion } from '../components/component-version';
import { externalContractReference } from '../components/specs/api-contract-spec';
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
  'api-contract': async (previous, next) => {
    const unreadable = [externalContractReference(specField(previous, 'openapi')), externalContractReference(specField(next, 'openapi'))];
    if (unreadable.some((ref) => ref !== undefined)) {
      return [unverifiableContract(previous, next, unreadable)];
    }
    return breakingOpenApiChanges(specField(previous, 'openapi'), specField(next, 'openapi'));
  },
};

/**
 * A contract held as a file reference cannot be diffed, so the change is treated as breaking:
 * never assumed safe. A major bump or an audited override lets it through.
 */
function unverifiableContract(previous: ComponentVersion, next: ComponentVersion, [previousRef, nextRef]: (string | undefined)[]): Break {
  const which = [previousRef === undefined ? undefined : `${previous.version} refers to '${previousRef}'`, nextRef === undefined ? undefined : `${next.version} refers to '${nextRef}'`].filter(Boolean).join(' and ');
  return {
    kind: 'contract-unverifiable',
    location: 'spec.openapi',
    message: `the contracts cannot be compared: ${which}, a file the registry cannot read; inline the OpenAPI documents to have them diffed`,
  };
}

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
