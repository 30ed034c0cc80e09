import { DomainViolation } from '../errors/domain-error';
import { HttpMethod, RollbackAction, RollbackActionKind } from './component-version';
import { describeValue, fieldPath, httpUrlProblem, isPlainObject, requireIntegerBetween, requireNonBlankString, requireObject, unknownKeyViolations } from './validation';

export const ROLLBACK_ACTION_KINDS: readonly RollbackActionKind[] = ['sql', 'http', 'routing', 'event'];

export const HTTP_METHODS: readonly HttpMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** CloudEvents-style type, reverse-DNS dotted: `io.strata.contract.pin-previous.v1`. */
const EVENT_TYPE = /^[a-z0-9]+(?:[.-][a-z0-9]+)+$/;

export function isHttpMethod(value: unknown): value is HttpMethod {
  return (HTTP_METHODS as readonly unknown[]).includes(value);
}

export function rollbackActionKind(action: RollbackAction): RollbackActionKind {
  if ('sql' in action) {
    return 'sql';
  }
  if ('http' in action) {
    return 'http';
  }
  if ('routing' in action) {
    return 'routing';
  }
  return 'event';
}

/**
 * A rollback is an ordered list of declarative actions, each an object with exactly one key naming
 * its kind. Unknown kinds are refused: a rollback that silently skips a step is worse than none.
 */
export function rollbackViolations(rollback: unknown, field = 'rollback'): DomainViolation[] {
  if (!Array.isArray(rollback)) {
    return [{ field, message: `must be a list of actions (${ROLLBACK_ACTION_KINDS.join(', ')}), got ${describeValue(rollback)}` }];
  }
  return rollback.flatMap((action: unknown, index) => rollbackActionViolations(action, fieldPath(field, index)));
}

function rollbackActionViolations(action: unknown, field: string): DomainViolation[] {
  if (!isPlainObject(action)) {
    return [{ field, message: `must be an object with one of ${ROLLBACK_ACTION_KINDS.join(', ')}, got ${describeValue(action)}` }];
  }
  const keys = Object.keys(action);
  if (keys.length !== 1) {
    return [{ field, message: `must hold exactly one action kind (${ROLLBACK_ACTION_KINDS.join(', ')}), got ${keys.length === 0 ? 'none' : keys.join(', ')}` }];
  }
  const [kind] = keys;
  const body = action[kind];
  const bodyField = fieldPath(field, kind);
  switch (kind) {
    case 'sql':
      return sqlActionViolations(body, bodyField);
    case 'http':
      return httpActionViolations(body, bodyField);
    case 'routing':
      return routingActionViolations(body, bodyField);
    case 'event':
      return eventActionViolations(body, bodyField);
    default:
      return [{ field: bodyField, message: `'${kind}' is not a rollback action kind; expected one of ${ROLLBACK_ACTION_KINDS.join(', ')}` }];
  }
}

function sqlActionViolations(body: unknown, field: string): DomainViolation[] {
  const violations: DomainViolation[] = [];
  if (!requireObject(body, field, violations)) {
    return violations;
  }
  const hasFrom = 'from' in body;
  const hasStatement = 'statement' in body;
  if (hasFrom === hasStatement) {
    return [{ field, message: "must hold exactly one of 'from: down' or 'statement'" }];
  }
  violations.push(...unknownKeyViolations(body, [hasFrom ? 'from' : 'statement'], field));
  if (hasFrom && body['from'] !== 'down') {
    violations.push({ field: `${field}.from`, message: `must be 'down' (the version's own down migration), got ${describeValue(body['from'])}` });
  }
  if (hasStatement) {
    requireNonBlankString(body['statement'], `${field}.statement`, violations);
  }
  return violations;
}

function httpActionViolations(body: unknown, field: string): DomainViolation[] {
  const violations: DomainViolation[] = [];
  if (!requireObject(body, field, violations)) {
    return violations;
  }
  violations.push(...unknownKeyViolations(body, ['url', 'method', 'expectStatus'], field));
  const urlProblem = httpUrlProblem(body['url'], { allowNodePlaceholder: true });
  if (urlProblem) {
    violations.push({ field: `${field}.url`, message: urlProblem });
  }
  if (!isHttpMethod(body['method'])) {
    violations.push({ field: `${field}.method`, message: `must be one of ${HTTP_METHODS.join(', ')}, got ${describeValue(body['method'])}` });
  }
  requireIntegerBetween(body['expectStatus'], 100, 599, `${field}.expectStatus`, violations);
  return violations;
}

function routingActionViolations(body: unknown, field: string): DomainViolation[] {
  const violations: DomainViolation[] = [];
  if (!requireObject(body, field, violations)) {
    return violations;
  }
  violations.push(...unknownKeyViolations(body, ['restore'], field));
  if (body['restore'] !== 'previous') {
    violations.push({ field: `${field}.restore`, message: `must be 'previous', got ${describeValue(body['restore'])}` });
  }
  return violations;
}

function eventActionViolations(body: unknown, field: string): DomainViolation[] {
  const violations: DomainViolation[] = [];
  if (!requireObject(body, field, violations)) {
    return violations;
  }
  violations.push(...unknownKeyViolations(body, ['type'], field));
  const type = body['type'];
  if (typeof type !== 'string' || !EVENT_TYPE.test(type)) {
    violations.push({ field: `${field}.type`, message: `must be a dotted event type such as io.strata.contract.pin-previous.v1, got ${describeValue(type)}` });
  }
  return violations;
}
