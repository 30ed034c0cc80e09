import { FuzzRequest } from './hostile-requests';

/**
 * Values no field may hold, whatever its rules: a 400/422 for a request with one such defect and
 * no other must name that field. (`%ED%A0%80` in a query string is kept as those nine characters by
 * the query parser, a legitimate string, so it counts only in a path.)
 */
const ALWAYS_REFUSED = new Set(['NUL', 'only-NUL', 'lone-high-surrogate', 'lone-low-surrogate', 'encoded-NUL', 'encoded-NUL-only', 'duplicate-key']);
const ALWAYS_REFUSED_IN_PATH = new Set(['encoded-lone-surrogate', 'bad-percent', 'bad-percent-2']);

/** Attacks that change nothing: the base request as the document describes it. */
const NOT_AN_ATTACK = new Set(['plausible', 'body=plausible']);

/** `body.environments[0].name`, `environments.0.name` and `body.environments.0.name` are one field. */
export function normaliseField(field: string): string {
  return field.replace(/\[(\d+)\]/g, '.$1').replace(/^(body|query|path|input)(\.|$)/, '');
}

/**
 * The field a request's one attack makes invalid beyond doubt, normalised; none when the request
 * has several defects (any of them may be the one answered) or none that is certain.
 */
export function fieldsThatMustBeNamed(fuzz: FuzzRequest): string[] {
  const parts = fuzz.attack.split(' ').filter((part) => part !== '' && !NOT_AN_ATTACK.has(part));
  const match = parts.length === 1 ? /^((body|path|query)\.[^=]+)=(.+)$/.exec(parts[0]!) : null;
  if (!match || !(ALWAYS_REFUSED.has(match[3]!) || (match[2] === 'path' && ALWAYS_REFUSED_IN_PATH.has(match[3]!)))) {
    return [];
  }
  return [normaliseField(match[1]!)];
}

/** Whether a problem's `errors` name one of the fields (or a field inside or around it). */
export function namesOneOf(errors: readonly { field?: unknown }[], expected: readonly string[]): boolean {
  const named = errors.map((error) => normaliseField(String(error.field ?? '')));
  return expected.some((field) => named.some((name) => name === field || name.startsWith(`${field}.`) || field.startsWith(`${name}.`)));
}
