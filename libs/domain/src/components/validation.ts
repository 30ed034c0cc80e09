import { DomainViolation } from '../errors/domain-error';

/**
 * Small helpers shared by the validators of this folder. Manifests arrive as parsed YAML or JSON,
 * so every validator takes `unknown` and narrows it here instead of trusting a cast.
 */

export type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Describes what was found instead, so a message says "got a list" rather than just "invalid". */
export function describeValue(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  if (typeof value === 'string') {
    return value.trim() === '' ? 'a blank string' : `the string '${value}'`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return `${typeof value} ${String(value)}`;
  }
  if (isPlainObject(value)) {
    return 'an object';
  }
  return typeof value;
}

export function isNonBlankString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** Joins a parent path and a key the way violations name fields: `spec.routes[0].match`. */
export function fieldPath(parent: string, key: string | number): string {
  if (typeof key === 'number') {
    return `${parent}[${key}]`;
  }
  return parent === '' ? key : `${parent}.${key}`;
}

/**
 * Refuses keys a validator does not know: a typo such as `expectedStatus` would otherwise be
 * silently ignored, and the health check would not check what its author believes it checks.
 */
export function unknownKeyViolations(object: PlainObject, known: readonly string[], field: string): DomainViolation[] {
  return Object.keys(object)
    .filter((key) => !known.includes(key))
    .map((key) => ({ field: fieldPath(field, key), message: `is not a known field; expected one of ${known.join(', ')}` }));
}

export function requireObject(value: unknown, field: string, violations: DomainViolation[]): value is PlainObject {
  if (isPlainObject(value)) {
    return true;
  }
  violations.push({ field, message: `must be an object, got ${describeValue(value)}` });
  return false;
}

export function requireNonBlankString(value: unknown, field: string, violations: DomainViolation[]): value is string {
  if (isNonBlankString(value)) {
    return true;
  }
  violations.push({ field, message: `must be a non-blank string, got ${describeValue(value)}` });
  return false;
}

export function requireIntegerBetween(value: unknown, min: number, max: number, field: string, violations: DomainViolation[]): value is number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) {
    return true;
  }
  violations.push({ field, message: `must be an integer from ${min} to ${max}, got ${describeValue(value)}` });
  return false;
}

export function requireBoolean(value: unknown, field: string, violations: DomainViolation[]): value is boolean {
  if (typeof value === 'boolean') {
    return true;
  }
  violations.push({ field, message: `must be true or false, got ${describeValue(value)}` });
  return false;
}

/** An HTTP header or cookie name: an RFC 9110 token. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function requireToken(value: unknown, field: string, violations: DomainViolation[]): value is string {
  if (typeof value === 'string' && TOKEN.test(value) && value.length <= 256) {
    return true;
  }
  violations.push({ field, message: `must be an HTTP token (letters, digits and !#$%&'*+.^_\`|~-), got ${describeValue(value)}` });
  return false;
}

/**
 * An absolute http(s) URL. `{node}` stands for a backend's host:port in health-check URLs, so it is
 * replaced by a syntactically valid authority before parsing.
 */
export function httpUrlProblem(value: unknown, options: { allowNodePlaceholder: boolean }): string | undefined {
  if (!isNonBlankString(value)) {
    return `must be an absolute http or https URL, got ${describeValue(value)}`;
  }
  const candidate = options.allowNodePlaceholder ? value.split('{node}').join('node.invalid:1') : value;
  if (/[{}]/.test(candidate)) {
    // WHATWG URLs accept braces in a host, so a misspelt placeholder would otherwise pass.
    return options.allowNodePlaceholder ? `'${value}' holds a placeholder other than {node}` : `'${value}' must not hold placeholders such as {node}`;
  }
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return `'${value}' is not an absolute URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `'${value}' must use http or https, not ${url.protocol.replace(/:$/, '')}`;
  }
  if (/\s/.test(value)) {
    return `'${value}' must not contain whitespace`;
  }
  return undefined;
}
