import { DomainViolation } from '../../errors/domain-error';
import { resourceNameProblem } from '../../stacks/names';
import { NodeWeights, nodeWeightsViolations } from '../../routing/node-weights';
import { canonicalJson } from '../canonical-json';
import { HttpMethod } from '../component-version';
import { isHttpMethod } from '../rollback-actions';
import { describeValue, fieldPath, isPlainObject, PlainObject, requireBoolean, requireIntegerBetween, requireNonBlankString, requireObject, requireToken, unknownKeyViolations } from '../validation';

export interface LbRuleSpec {
  /** Evaluated in order; routes with an identical `match` split its traffic by `weight`. */
  routes: LbRoute[];
  /**
   * Per backend node id (a discovered node's id is its address, `10.0.0.5:8080`), its relative
   * share of its stack config's traffic; compiled into the routing policy, honoured by the gateway's
   * node pick. Absent: the gateway spreads a config's traffic by power of two choices.
   */
  nodeWeights?: NodeWeights;
}

export interface LbRoute {
  match: LbMatch;
  /** The component (an `app`) receiving the traffic. */
  to: string;
  /** Percent of this match's traffic; routes sharing a match add up to 100. Defaults to 100. */
  weight?: number;
  retries?: { attempts: number; on: RetryCondition[]; idempotentOnly?: boolean };
  stickiness?: { cookie: string };
}

/** Every criterion given must hold; at least one is required. */
export interface LbMatch {
  pathPrefix?: string;
  path?: string;
  host?: string;
  method?: HttpMethod;
  header?: { name: string; value: string };
  cookie?: { name: string; value: string };
}

export type RetryCondition = 'connect-failure' | 'reset' | 'timeout' | '5xx' | 'gateway-error';

export const RETRY_CONDITIONS: readonly RetryCondition[] = ['connect-failure', 'reset', 'timeout', '5xx', 'gateway-error'];

const MATCH_KEYS = ['pathPrefix', 'path', 'host', 'method', 'header', 'cookie'];
const MAX_RETRY_ATTEMPTS = 5;

export function lbRuleSpecViolations(spec: unknown, field: string): DomainViolation[] {
  const violations: DomainViolation[] = [];
  if (!requireObject(spec, field, violations)) {
    return violations;
  }
  violations.push(...unknownKeyViolations(spec, ['routes', 'nodeWeights'], field));
  if ('nodeWeights' in spec) {
    violations.push(...nodeWeightsViolations(spec['nodeWeights'], `${field}.nodeWeights`));
  }
  const routes = spec['routes'];
  if (!Array.isArray(routes) || routes.length === 0) {
    violations.push({ field: `${field}.routes`, message: `must be a non-empty list of routes, got ${describeValue(routes)}` });
    return violations;
  }
  routes.forEach((route: unknown, index) => violations.push(...routeViolations(route, fieldPath(`${field}.routes`, index))));
  violations.push(...weightViolations(routes, `${field}.routes`));
  return violations;
}

function routeViolations(route: unknown, field: string): DomainViolation[] {
  const violations: DomainViolation[] = [];
  if (!requireObject(route, field, violations)) {
    return violations;
  }
  violations.push(...unknownKeyViolations(route, ['match', 'to', 'weight', 'retries', 'stickiness'], field));
  violations.push(...lbMatchViolations(route['match'], `${field}.match`));
  const to = route['to'];
  const toProblem = typeof to === 'string' ? resourceNameProblem(to) : `must name a component, got ${describeValue(to)}`;
  if (toProblem) {
    violations.push({ field: `${field}.to`, message: toProblem });
  }
  if ('weight' in route) {
    requireIntegerBetween(route['weight'], 0, 100, `${field}.weight`, violations);
  }
  if ('retries' in route) {
    violations.push(...retriesViolations(route['retries'], `${field}.retries`));
  }
  if ('stickiness' in route && requireObject(route['stickiness'], `${field}.stickiness`, violations)) {
    violations.push(...unknownKeyViolations(route['stickiness'], ['cookie'], `${field}.stickiness`));
    requireToken(route['stickiness']['cookie'], `${field}.stickiness.cookie`, violations);
  }
  return violations;
}

/** Every violation of one route's `match`, each with its field path (shared with the routing policy's compiled `routes`). */
export function lbMatchViolations(match: unknown, field: string): DomainViolation[] {
  const violations: DomainViolation[] = [];
  if (!requireObject(match, field, violations)) {
    return violations;
  }
  violations.push(...unknownKeyViolations(match, MATCH_KEYS, field));
  if (!MATCH_KEYS.some((key) => key in match)) {
    violations.push({ field, message: `must hold at least one criterion: ${MATCH_KEYS.join(', ')}` });
  }
  for (const key of ['pathPrefix', 'path']) {
    if (key in match && (typeof match[key] !== 'string' || !String(match[key]).startsWith('/'))) {
      violations.push({ field: `${field}.${key}`, message: `must be a path starting with '/', got ${describeValue(match[key])}` });
    }
  }
  if ('host' in match) {
    requireNonBlankString(match['host'], `${field}.host`, violations);
  }
  if ('method' in match && !isHttpMethod(match['method'])) {
    violations.push({ field: `${field}.method`, message: `must be an HTTP method in capitals, got ${describeValue(match['method'])}` });
  }
  for (const key of ['header', 'cookie']) {
    if (key in match) {
      violations.push(...nameValueViolations(match[key], `${field}.${key}`));
    }
  }
  return violations;
}

function nameValueViolations(pair: unknown, field: string): DomainViolation[] {
  const violations: DomainViolation[] = [];
  if (!requireObject(pair, field, violations)) {
    return violations;
  }
  violations.push(...unknownKeyViolations(pair, ['name', 'value'], field));
  requireToken(pair['name'], `${field}.name`, violations);
  if (typeof pair['value'] !== 'string') {
    violations.push({ field: `${field}.value`, message: `must be a string, got ${describeValue(pair['value'])}` });
  }
  return violations;
}

function retriesViolations(retries: unknown, field: string): DomainViolation[] {
  const violations: DomainViolation[] = [];
  if (!requireObject(retries, field, violations)) {
    return violations;
  }
  violations.push(...unknownKeyViolations(retries, ['attempts', 'on', 'idempotentOnly'], field));
  requireIntegerBetween(retries['attempts'], 0, MAX_RETRY_ATTEMPTS, `${field}.attempts`, violations);
  const on = retries['on'];
  if (!Array.isArray(on) || on.length === 0) {
    violations.push({ field: `${field}.on`, message: `must list when to retry (${RETRY_CONDITIONS.join(', ')}), got ${describeValue(on)}` });
  } else {
    on.forEach((condition: unknown, index) => {
      if (!(RETRY_CONDITIONS as readonly unknown[]).includes(condition)) {
        violations.push({ field: `${field}.on[${index}]`, message: `must be one of ${RETRY_CONDITIONS.join(', ')}, got ${describeValue(condition)}` });
      }
    });
  }
  if ('idempotentOnly' in retries) {
    requireBoolean(retries['idempotentOnly'], `${field}.idempotentOnly`, violations);
  }
  return violations;
}

/** Routes sharing a match split that match's traffic; the split must account for all of it. */
function weightViolations(routes: unknown[], field: string): DomainViolation[] {
  const groups = new Map<string, { indexes: number[]; total: number }>();
  routes.forEach((route, index) => {
    if (!isPlainObject(route) || !isPlainObject(route['match']) || !isValidWeight(route)) {
      return;
    }
    const key = canonicalJsonOrUndefined(route['match']);
    if (key === undefined) {
      return;
    }
    const group = groups.get(key) ?? { indexes: [], total: 0 };
    group.indexes.push(index);
    group.total += typeof route['weight'] === 'number' ? route['weight'] : 100;
    groups.set(key, group);
  });
  const violations: DomainViolation[] = [];
  for (const { indexes, total } of groups.values()) {
    if (total !== 100) {
      const [first] = indexes;
      const names = indexes.map((index) => fieldPath(field, index)).join(', ');
      violations.push({
        field: `${fieldPath(field, first)}.weight`,
        message: `routes with the same match (${names}) have weights adding up to ${total}; they must add up to 100`,
      });
    }
  }
  return violations;
}

function isValidWeight(route: PlainObject): boolean {
  const weight = route['weight'];
  return weight === undefined || (typeof weight === 'number' && Number.isInteger(weight) && weight >= 0 && weight <= 100);
}

function canonicalJsonOrUndefined(value: unknown): string | undefined {
  try {
    return canonicalJson(value);
  } catch {
    return undefined;
  }
}
