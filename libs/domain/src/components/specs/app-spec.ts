import { DomainViolation } from '../../errors/domain-error';
import { requireIntegerBetween, requireNonBlankString, requireObject, requireToken, unknownKeyViolations } from '../validation';

export interface AppSpec {
  /** What runs: an image reference such as `registry.example.com/checkout-api:2.4.0`. */
  artifact: string;
  port: number;
  /** Response header through which a node reveals the version it runs (version discovery). */
  versionHeader?: string;
}

export function appSpecViolations(spec: unknown, field: string): DomainViolation[] {
  const violations: DomainViolation[] = [];
  if (!requireObject(spec, field, violations)) {
    return violations;
  }
  violations.push(...unknownKeyViolations(spec, ['artifact', 'port', 'versionHeader'], field));
  if (requireNonBlankString(spec['artifact'], `${field}.artifact`, violations) && /\s/.test(spec['artifact'])) {
    violations.push({ field: `${field}.artifact`, message: 'must not contain whitespace' });
  }
  requireIntegerBetween(spec['port'], 1, 65535, `${field}.port`, violations);
  if ('versionHeader' in spec) {
    requireToken(spec['versionHeader'], `${field}.versionHeader`, violations);
  }
  return violations;
}
