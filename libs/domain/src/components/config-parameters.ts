import { DomainViolation } from '../errors/domain-error';
import { ConfigParameterType, ConfigValue } from './component-version';
import { isDuration, parseDuration } from './duration';
import { describeValue, fieldPath, requireObject } from './validation';

/** Parameter names travel as environment variables, labels and flags, so they stay plain. */
const PARAMETER_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,127}$/;

export type TypedConfigParameter =
  | { type: 'string'; value: string }
  | { type: 'number'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'duration'; value: string; milliseconds: number };

/** A string that reads as a duration (`5s`) is a duration; executors then need not re-guess. */
export function configParameterType(value: ConfigValue): ConfigParameterType {
  if (typeof value === 'number') {
    return 'number';
  }
  if (typeof value === 'boolean') {
    return 'boolean';
  }
  return isDuration(value) ? 'duration' : 'string';
}

export function typedConfigParameter(value: ConfigValue): TypedConfigParameter {
  if (typeof value === 'number') {
    return { type: 'number', value };
  }
  if (typeof value === 'boolean') {
    return { type: 'boolean', value };
  }
  const milliseconds = parseDuration(value);
  return milliseconds === undefined ? { type: 'string', value } : { type: 'duration', value, milliseconds };
}

export function typedConfig(config: Readonly<Record<string, ConfigValue>>): Record<string, TypedConfigParameter> {
  return Object.fromEntries(Object.entries(config).map(([name, value]) => [name, typedConfigParameter(value)]));
}

/** Config is a flat map of scalar parameters; nested structure belongs in the type's `spec`. */
export function configViolations(config: unknown, field = 'config'): DomainViolation[] {
  const violations: DomainViolation[] = [];
  if (!requireObject(config, field, violations)) {
    return violations;
  }
  for (const [name, value] of Object.entries(config)) {
    const parameterField = fieldPath(field, name);
    if (!PARAMETER_NAME.test(name)) {
      violations.push({ field: parameterField, message: 'parameter names start with a letter and hold up to 128 letters, digits, _ . or -' });
    }
    const valueProblem = parameterValueProblem(value);
    if (valueProblem) {
      violations.push({ field: parameterField, message: valueProblem });
    }
  }
  return violations;
}

function parameterValueProblem(value: unknown): string | undefined {
  if (typeof value === 'boolean' || typeof value === 'string') {
    return undefined;
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) ? undefined : `must be a finite number, got ${String(value)}`;
  }
  return `must be a string, number, boolean or duration (like 5s), got ${describeValue(value)}`;
}
