import { DomainError, DomainViolation } from '../errors/domain-error';
import { resourceNameProblem } from './names';

export interface EnvironmentDefinition {
  name: string;
  /** A staging environment names the environment whose traffic and versions it mirrors. */
  mirrors?: string;
}

export interface StackDefinition {
  name: string;
  environments: EnvironmentDefinition[];
}

/**
 * Checks a stack definition as a whole: names, unique environments, and mirrors that point at an
 * environment of the same stack which does not itself mirror another one (no chains, no cycles).
 * Returns every violation at once so a user fixes a manifest in one pass.
 */
export function stackDefinitionViolations(stack: StackDefinition): DomainViolation[] {
  const violations: DomainViolation[] = [];
  const nameProblem = resourceNameProblem(stack.name);
  if (nameProblem) {
    violations.push({ field: 'name', message: nameProblem });
  }
  if (stack.environments.length === 0) {
    violations.push({ field: 'environments', message: 'must name at least one environment' });
  }

  const byName = new Map<string, EnvironmentDefinition>();
  stack.environments.forEach((environment, index) => {
    const field = `environments[${index}]`;
    const problem = resourceNameProblem(environment.name);
    if (problem) {
      violations.push({ field: `${field}.name`, message: problem });
    }
    if (byName.has(environment.name)) {
      violations.push({ field: `${field}.name`, message: `duplicate environment '${environment.name}'` });
    }
    byName.set(environment.name, environment);
  });

  stack.environments.forEach((environment, index) => {
    if (environment.mirrors === undefined) {
      return;
    }
    const field = `environments[${index}].mirrors`;
    const mirrored = byName.get(environment.mirrors);
    if (environment.mirrors === environment.name) {
      violations.push({ field, message: 'an environment cannot mirror itself' });
    } else if (!mirrored) {
      violations.push({ field, message: `names '${environment.mirrors}', which is not an environment of this stack` });
    } else if (mirrored.mirrors !== undefined) {
      violations.push({
        field,
        message: `names '${environment.mirrors}', which itself mirrors '${mirrored.mirrors}'; mirror the source environment directly`,
      });
    }
  });
  return violations;
}

export function assertValidStackDefinition(stack: StackDefinition): void {
  const violations = stackDefinitionViolations(stack);
  if (violations.length > 0) {
    throw DomainError.invalid(`stack '${stack.name}' is invalid`, violations);
  }
}
