import { DomainError, DomainViolation } from '../errors/domain-error';
import { resourceNameProblem } from '../stacks/names';
import { ComponentTypeRegistry } from './component-types';
import { ComponentVersion, versionKey } from './component-version';
import { configViolations } from './config-parameters';
import { healthCheckViolations } from './health-check';
import { rollbackViolations } from './rollback-actions';
import { dependenciesViolations, versionViolations } from './semver-fields';
import { describeValue, isPlainObject, unknownKeyViolations } from './validation';

const COMPONENT_VERSION_FIELDS = ['component', 'type', 'version', 'dependencies', 'config', 'rollback', 'healthCheck', 'spec'];

export function componentTypeViolations(type: unknown, types: ComponentTypeRegistry, field = 'type'): DomainViolation[] {
  if (typeof type !== 'string') {
    return [{ field, message: `must name a component type (${types.names().join(', ')}), got ${describeValue(type)}` }];
  }
  return types.has(type) ? [] : [{ field, message: types.unknownTypeMessage(type) }];
}

/**
 * Checks a candidate ComponentVersion as a whole: the six common fields, the spec of its type, and
 * the type's checks across both. `dependencies`, `config` and `rollback` may be left out (none);
 * `healthCheck` is optional. Every violation is returned at once.
 */
export function componentVersionViolations(candidate: unknown, types: ComponentTypeRegistry): DomainViolation[] {
  if (!isPlainObject(candidate)) {
    return [{ field: '', message: `a component version must be an object, got ${describeValue(candidate)}` }];
  }
  const violations: DomainViolation[] = [...unknownKeyViolations(candidate, COMPONENT_VERSION_FIELDS, '')];
  const { component, type, version } = candidate;
  const componentProblem = typeof component === 'string' ? resourceNameProblem(component) : `must name the component, got ${describeValue(component)}`;
  if (componentProblem) {
    violations.push({ field: 'component', message: componentProblem });
  }
  const typeViolations = componentTypeViolations(type, types);
  violations.push(...typeViolations);
  violations.push(...versionViolations(version));
  if (candidate['dependencies'] !== undefined) {
    violations.push(...dependenciesViolations(candidate['dependencies'], 'dependencies', typeof component === 'string' ? component : undefined));
  }
  if (candidate['config'] !== undefined) {
    violations.push(...configViolations(candidate['config']));
  }
  if (candidate['rollback'] !== undefined) {
    violations.push(...rollbackViolations(candidate['rollback']));
  }
  if (candidate['healthCheck'] !== undefined) {
    violations.push(...healthCheckViolations(candidate['healthCheck']));
  }
  if (typeof type === 'string' && typeViolations.length === 0) {
    violations.push(...types.specViolations(type, candidate['spec']));
  }
  if (violations.length > 0 || typeof type !== 'string') {
    return violations;
  }
  return types.get(type)?.versionViolations?.(withDefaults(candidate)) ?? [];
}

/** Validates and returns the candidate as a ComponentVersion with absent lists and maps made empty. */
export function assertValidComponentVersion(candidate: unknown, types: ComponentTypeRegistry): ComponentVersion {
  const violations = componentVersionViolations(candidate, types);
  if (violations.length > 0 || !isPlainObject(candidate)) {
    const name = isPlainObject(candidate) && typeof candidate['component'] === 'string' && typeof candidate['version'] === 'string'
      ? versionKey(candidate['component'], candidate['version'])
      : 'component version';
    throw DomainError.invalid(`${name} is invalid`, violations);
  }
  return withDefaults(candidate);
}

/** Only called on a candidate whose fields were checked, hence the narrowing casts. */
function withDefaults(candidate: Record<string, unknown>): ComponentVersion {
  const version: ComponentVersion = {
    component: candidate['component'] as string,
    type: candidate['type'] as string,
    version: candidate['version'] as string,
    dependencies: (candidate['dependencies'] ?? []) as ComponentVersion['dependencies'],
    config: (candidate['config'] ?? {}) as ComponentVersion['config'],
    rollback: (candidate['rollback'] ?? []) as ComponentVersion['rollback'],
    spec: candidate['spec'],
  };
  if (candidate['healthCheck'] !== undefined) {
    version.healthCheck = candidate['healthCheck'] as ComponentVersion['healthCheck'];
  }
  return version;
}
