import { DomainViolation } from '../errors/domain-error';
import { parseDuration } from './duration';
import { describeValue, fieldPath, httpUrlProblem, requireIntegerBetween, requireNonBlankString, requireObject, unknownKeyViolations } from './validation';

/**
 * A health check probes either a URL or a SQL query, with a timeout and an interval. A probe must
 * finish before the next one starts, so the timeout may not exceed the interval.
 */
export function healthCheckViolations(healthCheck: unknown, field = 'healthCheck'): DomainViolation[] {
  const violations: DomainViolation[] = [];
  if (!requireObject(healthCheck, field, violations)) {
    return violations;
  }
  const hasUrl = 'url' in healthCheck;
  const hasSql = 'sql' in healthCheck;
  if (hasUrl === hasSql) {
    violations.push({ field, message: "must hold exactly one probe: 'url' (HTTP) or 'sql'" });
  }
  if (hasUrl) {
    violations.push(...unknownKeyViolations(healthCheck, ['url', 'expectStatus', 'expect', 'timeout', 'interval'], field));
    const urlProblem = httpUrlProblem(healthCheck['url'], { allowNodePlaceholder: true });
    if (urlProblem) {
      violations.push({ field: fieldPath(field, 'url'), message: urlProblem });
    }
    if ('expectStatus' in healthCheck) {
      requireIntegerBetween(healthCheck['expectStatus'], 100, 599, fieldPath(field, 'expectStatus'), violations);
    }
    if ('expect' in healthCheck && typeof healthCheck['expect'] !== 'string') {
      violations.push({ field: fieldPath(field, 'expect'), message: `must be text the response body contains, got ${describeValue(healthCheck['expect'])}` });
    }
  } else if (hasSql) {
    violations.push(...unknownKeyViolations(healthCheck, ['sql', 'expect', 'timeout', 'interval'], field));
    requireNonBlankString(healthCheck['sql'], fieldPath(field, 'sql'), violations);
    const expected = healthCheck['expect'];
    if ('expect' in healthCheck && typeof expected !== 'string' && typeof expected !== 'boolean' && !(typeof expected === 'number' && Number.isFinite(expected))) {
      violations.push({ field: fieldPath(field, 'expect'), message: `must be the scalar the query's first value equals, got ${describeValue(expected)}` });
    }
  }
  const timeout = positiveDuration(healthCheck['timeout'], fieldPath(field, 'timeout'), violations);
  const interval = positiveDuration(healthCheck['interval'], fieldPath(field, 'interval'), violations);
  if (timeout !== undefined && interval !== undefined && timeout > interval) {
    violations.push({ field: fieldPath(field, 'timeout'), message: `${String(healthCheck['timeout'])} exceeds the interval ${String(healthCheck['interval'])}; a probe must end before the next starts` });
  }
  return violations;
}

function positiveDuration(value: unknown, field: string, violations: DomainViolation[]): number | undefined {
  const milliseconds = typeof value === 'string' ? parseDuration(value) : undefined;
  if (milliseconds === undefined || milliseconds === 0) {
    violations.push({ field, message: `must be a positive duration such as 500ms, 2s or 1m, got ${describeValue(value)}` });
    return undefined;
  }
  return milliseconds;
}
