import { DomainViolation } from '../errors/domain-error';
import { describeValue, requireObject } from './validation';

/** How a target names where a secret lives: an environment variable (or secret-store key) name. */
const REFERENCE = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;
/** Keys whose values are secrets or connection strings, whatever they hold. */
const SECRET_KEY = /(url|uri|dsn|password|passwd|pwd|secret|token|credentials?|apikey|api_key|private_?key|connection(_?string)?)$/i;
/** A value with a scheme (`postgres://…`, `https://…`): connection strings carry hosts and often credentials. */
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
const MAX_KEYS = 50;
const MAX_DEPTH = 4;

/**
 * Every violation of a component's `target` (where its executor reaches it: a database, a load
 * balancer's API, …). Strata never stores a secret: a value that could be one — any key named like
 * a URL, password, token or key, or any string that is a URL — must be given by reference as
 * `<key>From: <VARIABLE>` (e.g. `databaseUrlFrom: CHECKOUT_DB_URL`), which the executor resolves
 * where it runs. Plain settings (`schema: public`, `port: 5432`) stay as they are.
 */
export function componentTargetViolations(target: unknown, field = 'target'): DomainViolation[] {
  const violations: DomainViolation[] = [];
  if (!requireObject(target, field, violations)) {
    return violations;
  }
  visit(target, field, 1, violations);
  return violations;
}

function visit(value: Record<string, unknown>, path: string, depth: number, violations: DomainViolation[]): void {
  const entries = Object.entries(value);
  if (entries.length > MAX_KEYS) {
    violations.push({ field: path, message: `must have at most ${MAX_KEYS} keys, got ${entries.length}` });
    return;
  }
  for (const [key, item] of entries) {
    const at = `${path}.${key}`;
    if (key.endsWith('From')) {
      if (typeof item !== 'string' || !REFERENCE.test(item)) {
        violations.push({ field: at, message: `must name the environment variable (or secret) holding the value, e.g. CHECKOUT_DB_URL, got ${describeValue(item)}` });
      }
      continue;
    }
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      if (depth >= MAX_DEPTH) {
        violations.push({ field: at, message: `nests deeper than ${MAX_DEPTH} levels` });
      } else {
        visit(item as Record<string, unknown>, at, depth + 1, violations);
      }
      continue;
    }
    if (SECRET_KEY.test(key) || (typeof item === 'string' && URL_LIKE.test(item))) {
      violations.push({ field: at, message: `may hold a secret, and Strata never stores one: give it by reference as ${key}From: <VARIABLE> (e.g. ${key}From: ${key.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}), resolved where the executor runs` });
    }
  }
}
