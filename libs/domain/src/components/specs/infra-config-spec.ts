import { DomainViolation } from '../../errors/domain-error';
import { describeValue, isPlainObject, requireObject } from '../validation';

/** Free-form keys and JSON values: what the infrastructure tooling of a team needs to know. */
export type InfraConfigSpec = Record<string, unknown>;

export function infraConfigSpecViolations(spec: unknown, field: string): DomainViolation[] {
  const violations: DomainViolation[] = [];
  if (!requireObject(spec, field, violations)) {
    return violations;
  }
  for (const [key, value] of Object.entries(spec)) {
    const keyField = `${field}.${key}`;
    if (key.trim() === '') {
      violations.push({ field: keyField, message: 'keys must not be blank' });
    }
    violations.push(...jsonValueViolations(value, keyField));
  }
  return violations;
}

/** Free-form still means storable and checksummable: JSON values only. */
function jsonValueViolations(value: unknown, field: string): DomainViolation[] {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') {
    return [];
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) ? [] : [{ field, message: `must be a finite number, got ${String(value)}` }];
  }
  if (Array.isArray(value)) {
    return value.flatMap((item: unknown, index) => jsonValueViolations(item, `${field}[${index}]`));
  }
  if (isPlainObject(value)) {
    return Object.entries(value).flatMap(([key, item]) => jsonValueViolations(item, `${field}.${key}`));
  }
  return [{ field, message: `must be a JSON value, got ${describeValue(value)}` }];
}
