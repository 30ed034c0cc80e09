import { DomainViolation } from '../errors/domain-error';
import { describeValue, isNonBlankString, requireObject, unknownKeyViolations } from '../components/validation';
import { NodeWeights, nodeWeightsViolations } from './node-weights';

export interface MirrorSettings {
  stackConfig: string;
  /** Fraction of requests copied, from 0 to 1. */
  sampleRate: number;
  /** Compare each copy's JSON body with production's (json-diff.ts), up to `maxBytes` a side; absent: not compared. */
  compareBodies?: BodyComparisonSettings;
  /**
   * ISO 8601 instant after which routing-control removes the mirror (a backstop for whoever set it
   * for a window and may die before removing it); absent: until removed.
   */
  until?: string;
  /**
   * The copies' own node weights over the mirror config's nodes (node-weights.ts), instead of the
   * policy's: proposed weights tried on a sample of production's traffic. With them the mirror may
   * target the stable config itself (an lb-weights trial): the copies land on its nodes by these
   * weights and are counted apart, as `gateway_mirror_*`.
   */
  nodeWeights?: NodeWeights;
}

export interface BodyComparisonSettings {
  /** Paths the comparison leaves out (`updatedAt`, `items.*.etag`, `**.requestId`). */
  ignoreFields: string[];
  /** Bodies longer than this (either side) are not compared: the gateway keeps production's only that long. */
  maxBytes: number;
}

/** Whether the mirror's `until` has passed at `now` (epoch ms). */
export function mirrorExpired(config: { mirror?: MirrorSettings }, now: number): boolean {
  return config.mirror?.until !== undefined && Date.parse(config.mirror.until) <= now;
}

export const BODY_COMPARISON_LIMITS = { ignoreFields: 100, fieldLength: 256, maxBytes: 1_048_576 } as const;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Every violation of a routing policy's `mirror`, named `mirror.*`. `referenced` checks that a
 * field names one of the policy's stack configs; the stable config cannot be mirrored to: its
 * mirrored traffic would be counted as real traffic.
 */
export function mirrorViolations(mirror: unknown, stableConfig: unknown, referenced: (reference: unknown, field: string) => void, violations: DomainViolation[]): void {
  if (!requireObject(mirror, 'mirror', violations)) {
    return;
  }
  violations.push(...unknownKeyViolations(mirror, ['stackConfig', 'sampleRate', 'compareBodies', 'until', 'nodeWeights'], 'mirror'));
  referenced(mirror['stackConfig'], 'mirror.stackConfig');
  const rate = mirror['sampleRate'];
  if (!(typeof rate === 'number' && Number.isFinite(rate) && rate >= 0 && rate <= 1)) {
    violations.push({ field: 'mirror.sampleRate', message: `must be a number from 0 to 1, got ${describeValue(rate)}` });
  }
  if (mirror['nodeWeights'] !== undefined) {
    violations.push(...nodeWeightsViolations(mirror['nodeWeights'], 'mirror.nodeWeights'));
  } else if (isNonBlankString(mirror['stackConfig']) && mirror['stackConfig'] === stableConfig) {
    // Copies spread like production's requests over the same nodes would try nothing; with their own nodeWeights they try a split.
    violations.push({ field: 'mirror.stackConfig', message: 'must not be the stable config unless the mirror has its own nodeWeights: copies would be spread like the real traffic' });
  }
  if (mirror['compareBodies'] !== undefined) {
    bodyComparisonViolations(mirror['compareBodies'], 'mirror.compareBodies', violations);
  }
  const until = mirror['until'];
  if (until !== undefined && (typeof until !== 'string' || !ISO_INSTANT.test(until) || Number.isNaN(Date.parse(until)))) {
    violations.push({ field: 'mirror.until', message: `must be an ISO 8601 instant such as 2026-12-06T21:00:00Z, got ${describeValue(until)}` });
  }
}

function bodyComparisonViolations(comparison: unknown, field: string, violations: DomainViolation[]): void {
  if (!requireObject(comparison, field, violations)) {
    return;
  }
  violations.push(...unknownKeyViolations(comparison, ['ignoreFields', 'maxBytes'], field));
  const fields = comparison['ignoreFields'];
  const { ignoreFields, fieldLength, maxBytes } = BODY_COMPARISON_LIMITS;
  if (!Array.isArray(fields) || fields.length > ignoreFields || !fields.every((path) => typeof path === 'string' && path.length > 0 && path.length <= fieldLength)) {
    violations.push({ field: `${field}.ignoreFields`, message: `must be a list of at most ${ignoreFields} field paths (1 to ${fieldLength} characters, e.g. items.*.etag), got ${describeValue(fields)}` });
  }
  const bytes = comparison['maxBytes'];
  if (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < 1 || bytes > maxBytes) {
    violations.push({ field: `${field}.maxBytes`, message: `must be an integer from 1 to ${maxBytes}, got ${describeValue(bytes)}` });
  }
}
