/** The outcome of one probe of a deployed component (one node, one URL, or one SQL query). */
export interface ProbeOutcome {
  target: string;
  ok: boolean;
  detail: string;
  /** The version the target says it runs, when it says. */
  discoveredVersion?: string;
  /** How long the probe took, when it reached the target (not when it could not even start). */
  durationMs?: number;
}

export type ProbedStatus = 'healthy' | 'degraded' | 'failed';

/** Every probe passed: healthy; some did: degraded; none did (or there was nothing to probe): failed. */
export function statusFromProbes(outcomes: readonly ProbeOutcome[]): ProbedStatus {
  const passed = outcomes.filter((outcome) => outcome.ok).length;
  if (outcomes.length > 0 && passed === outcomes.length) {
    return 'healthy';
  }
  return passed > 0 ? 'degraded' : 'failed';
}

export const DEFAULT_VERSION_HEADER = 'x-strata-version';

/**
 * The version a node reports: the component's version header, else `x-strata-version`, else a
 * `version` field of a JSON health payload.
 */
export function discoveredVersionOf(headers: Readonly<Record<string, string | string[] | undefined>>, body: string, versionHeader?: string): string | undefined {
  for (const name of [versionHeader?.toLowerCase(), DEFAULT_VERSION_HEADER]) {
    const value = name ? headers[name] : undefined;
    const text = Array.isArray(value) ? value[0] : value;
    if (text && text.trim() !== '') {
      return text.trim();
    }
  }
  try {
    const payload: unknown = JSON.parse(body);
    const version = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>)['version'] : undefined;
    return typeof version === 'string' && version.trim() !== '' ? version.trim() : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a SQL probe's first value is what the check expects (compared as text, as psql shows it). */
export function sqlValueMatches(actual: unknown, expected: string | number | boolean | undefined): boolean {
  if (expected === undefined) {
    return true;
  }
  if (actual === null || actual === undefined) {
    return false;
  }
  if (typeof actual === 'boolean' && typeof expected === 'boolean') {
    return actual === expected;
  }
  return String(actual) === String(expected);
}
