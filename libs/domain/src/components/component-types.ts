import { DomainError, DomainViolation } from '../errors/domain-error';
import { resourceNameProblem } from '../stacks/names';
import { ComponentVersion } from './component-version';
import { apiContractSpecViolations } from './specs/api-contract-spec';
import { appSpecViolations } from './specs/app-spec';
import { dbSchemaSpecViolations, dbSchemaVersionViolations } from './specs/db-schema-spec';
import { infraConfigSpecViolations } from './specs/infra-config-spec';
import { lbRuleSpecViolations } from './specs/lb-rule-spec';
import { networkPolicySpecViolations } from './specs/network-policy-spec';

/** Checks a type's `spec`; `field` is the dotted path to prefix violations with (usually `spec`). */
export type SpecValidator = (spec: unknown, field: string) => DomainViolation[];

export interface ComponentTypeDefinition {
  /** How manifests name the type: `app`, `db-schema`, … */
  name: string;
  description: string;
  specViolations: SpecValidator;
  /**
   * Checks across the common fields and the spec, run only once both are valid on their own,
   * e.g. a db-schema rollback running `down` needs a `down`.
   */
  versionViolations?: (version: ComponentVersion) => DomainViolation[];
}

export const BUILT_IN_COMPONENT_TYPES: readonly ComponentTypeDefinition[] = [
  { name: 'app', description: 'application code served by backend nodes', specViolations: appSpecViolations },
  {
    name: 'db-schema',
    description: 'a database schema migration',
    specViolations: dbSchemaSpecViolations,
    versionViolations: dbSchemaVersionViolations,
  },
  { name: 'lb-rule', description: 'load-balancer routes, weights, retries and stickiness', specViolations: lbRuleSpecViolations },
  { name: 'network-policy', description: 'which callers may reach which component', specViolations: networkPolicySpecViolations },
  { name: 'api-contract', description: "a third-party API's OpenAPI contract", specViolations: apiContractSpecViolations },
  { name: 'infra-config', description: 'free-form infrastructure key/values', specViolations: infraConfigSpecViolations },
];

/**
 * The open set of component types. A plugin adds a type with one `register` call; everything else
 * (validation, error messages listing the known types) follows from the registry.
 */
export class ComponentTypeRegistry {
  private readonly definitions = new Map<string, ComponentTypeDefinition>();

  constructor(definitions: readonly ComponentTypeDefinition[] = []) {
    definitions.forEach((definition) => this.register(definition));
  }

  register(definition: ComponentTypeDefinition): this {
    const problem = resourceNameProblem(definition.name);
    if (problem) {
      throw DomainError.invalid(`component type '${definition.name}' cannot be registered`, [{ field: 'name', message: problem }]);
    }
    if (this.definitions.has(definition.name)) {
      throw DomainError.alreadyExists('component type', definition.name);
    }
    this.definitions.set(definition.name, definition);
    return this;
  }

  has(name: string): boolean {
    return this.definitions.has(name);
  }

  get(name: string): ComponentTypeDefinition | undefined {
    return this.definitions.get(name);
  }

  /** Sorted, so messages and listings are stable. */
  names(): string[] {
    return [...this.definitions.keys()].sort();
  }

  /** Violations of a spec for a known type; an unknown type is itself the violation. */
  specViolations(type: string, spec: unknown, field = 'spec'): DomainViolation[] {
    const definition = this.definitions.get(type);
    if (!definition) {
      return [{ field: 'type', message: this.unknownTypeMessage(type) }];
    }
    return definition.specViolations(spec, field);
  }

  unknownTypeMessage(type: string): string {
    return `'${type}' is not a registered component type; known types: ${this.names().join(', ')}`;
  }
}

/** A fresh registry holding the built-in types, ready for plugins to extend. */
export function createComponentTypeRegistry(extraTypes: readonly ComponentTypeDefinition[] = []): ComponentTypeRegistry {
  return new ComponentTypeRegistry([...BUILT_IN_COMPONENT_TYPES, ...extraTypes]);
}
