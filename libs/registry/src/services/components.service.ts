import { Injectable } from '@nestjs/common';
import {
  ComponentTypeRegistry,
  ComponentVersion,
  DomainError,
  DomainErrorCode,
  assertBreaksAllowed,
  assertValidComponentVersion,
  breakingChangesOf,
  componentTargetViolations,
  componentTypeViolations,
  componentVersionChecksum,
  resourceNameProblem,
} from '@strata/domain';
import { EventOutbox } from '@strata/messaging';
import { compare, lt } from 'semver';
import { EntityManager } from 'typeorm';
import { ComponentVersionEntity } from '../entities/component-version.entity';
import { ComponentEntity } from '../entities/component.entity';
import { ComponentsRepository } from '../repositories/components.repository';
import { StacksRepository } from '../repositories/stacks.repository';
import { isUniqueViolation } from '@strata/persistence';
import { RegistryTransactions } from '../repositories/transactions';

export interface NewComponent {
  name: string;
  stack: string;
  type: string;
  target?: Record<string, unknown>;
}

/** What a caller registers: the six common fields (type comes from the component) and the spec. */
export interface NewComponentVersion {
  version: string;
  dependencies?: unknown;
  config?: unknown;
  rollback?: unknown;
  healthCheck?: unknown;
  spec?: unknown;
  breakingOverride?: { reason: string };
}

export type Registration = { created: boolean; version: ComponentVersionEntity };

/**
 * A SQL health check runs on the database the component's `target.databaseUrlFrom` names (the
 * registry probes it); without one it could only ever fail, so it is refused when registered.
 */
function assertSqlHealthCheckHasDatabase(component: ComponentEntity, version: ComponentVersion): void {
  if (version.healthCheck && 'sql' in version.healthCheck && typeof component.target['databaseUrlFrom'] !== 'string') {
    throw DomainError.invalid(`${component.name}@${version.version} is invalid`, [
      { field: 'healthCheck.sql', message: `runs on the database named by the component's target.databaseUrlFrom, and component ${component.name} names none: check it over HTTP (url), or create a component with a target` },
    ]);
  }
}

export function toComponentVersion(entity: ComponentVersionEntity): ComponentVersion {
  return {
    component: entity.component.name,
    type: entity.component.type,
    version: entity.version,
    dependencies: entity.dependencies,
    config: entity.config,
    rollback: entity.rollback,
    ...(entity.healthCheck ? { healthCheck: entity.healthCheck } : {}),
    spec: entity.spec,
  };
}

@Injectable()
export class ComponentsService {
  constructor(
    private readonly components: ComponentsRepository,
    private readonly stacks: StacksRepository,
    private readonly transactions: RegistryTransactions,
    private readonly types: ComponentTypeRegistry,
    private readonly events: EventOutbox,
  ) {}

  async createComponent(input: NewComponent, within?: EntityManager): Promise<ComponentEntity> {
    const violations = [...componentTypeViolations(input.type, this.types), ...componentTargetViolations(input.target ?? {})];
    const nameProblem = resourceNameProblem(input.name);
    if (nameProblem) {
      violations.unshift({ field: 'name', message: nameProblem });
    }
    if (violations.length > 0) {
      throw DomainError.invalid(`component '${input.name}' is invalid`, violations);
    }
    try {
      return await this.transactions.run(async (manager) => {
        const stack = await this.stacks.findByName(manager, input.stack);
        if (!stack) {
          throw DomainError.notFound('stack', input.stack);
        }
        return this.components.insertComponent(manager, { stackId: stack.id, name: input.name, type: input.type, target: input.target ?? {} });
      }, within);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw DomainError.alreadyExists('component', input.name);
      }
      throw error;
    }
  }

  async getComponent(name: string, within?: EntityManager): Promise<ComponentEntity> {
    const component = await this.components.findComponent(within ?? this.transactions.reader, name);
    if (!component) {
      throw DomainError.notFound('component', name);
    }
    return component;
  }

  async pageComponents(stack: string | undefined, limit: number, after: string | undefined): Promise<{ items: ComponentEntity[]; nextCursor: string | null }> {
    const reader = this.transactions.reader;
    const stackId = stack === undefined ? undefined : (await this.stacks.findByName(reader, stack))?.id;
    if (stack !== undefined && !stackId) {
      throw DomainError.notFound('stack', stack);
    }
    return this.components.pageComponents(reader, stackId, limit, after);
  }

  /**
   * Registers an immutable version. The same content again is a no-op (`created: false`); other
   * content under an existing version is a conflict. Breaking changes need a major bump or an
   * override whose reason is recorded with the version and its event.
   */
  async registerVersion(componentName: string, input: NewComponentVersion, actor: string, within?: EntityManager): Promise<Registration> {
    const component = await this.getComponent(componentName, within);
    const candidate = assertValidComponentVersion(
      {
        component: component.name,
        type: component.type,
        version: input.version,
        dependencies: input.dependencies ?? [],
        config: input.config ?? {},
        rollback: input.rollback ?? [],
        ...(input.healthCheck === undefined ? {} : { healthCheck: input.healthCheck }),
        spec: input.spec ?? {},
      },
      this.types,
    );
    assertSqlHealthCheckHasDatabase(component, candidate);
    const checksum = componentVersionChecksum(candidate);
    const attempt = () =>
      this.transactions.run(async (manager) => {
        // Serialise registrations of one component: "the previous version" must not move underneath.
        await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`registry:component:${component.id}`]);
        // The one version compared with is read whole, not every one: registering the 500th version read 499 before.
        const same = await this.components.findVersion(manager, component.id, candidate.version);
        if (same) {
          if (same.checksum === checksum) {
            return { created: false, version: same };
          }
          throw new DomainError(
            DomainErrorCode.Conflict,
            `${component.name}@${candidate.version} is already registered with different content (checksum ${same.checksum}); versions are immutable, register a new version`,
          );
        }
        const previous = await this.previousVersion(manager, component, candidate.version);
        const breaks = await breakingChangesOf(previous, candidate);
        assertBreaksAllowed(previous, candidate, breaks, input.breakingOverride);
        const override = input.breakingOverride && breaks.length > 0 ? { reason: input.breakingOverride.reason, actor, breaks } : null;
        const saved = await this.components.insertVersion(manager, {
          componentId: component.id,
          version: candidate.version,
          dependencies: candidate.dependencies,
          config: candidate.config,
          rollback: candidate.rollback,
          healthCheck: candidate.healthCheck ?? null,
          spec: candidate.spec,
          checksum,
          breakingOverride: override,
          registeredBy: actor,
        });
        await this.events.record(
          manager,
          this.events.create('io.strata.registry.component-version.registered.v1', component.stack.name, {
            stack: component.stack.name,
            component: component.name,
            type: component.type,
            version: candidate.version,
            checksum,
            dependencies: candidate.dependencies,
            definition: {
              config: candidate.config,
              spec: candidate.spec,
              rollback: candidate.rollback as unknown as Record<string, unknown>[],
              healthCheck: (candidate.healthCheck ?? null) as Record<string, unknown> | null,
              target: component.target ?? {},
            },
            ...(override ? { breakingOverride: { reason: override.reason, actor, breaks: breaks.map((change) => `${change.kind} at ${change.location}`) } } : {}),
          }),
        );
        return { created: true, version: saved };
      }, within);
    try {
      return await attempt();
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DomainError(DomainErrorCode.Conflict, `${component.name}@${candidate.version} was registered concurrently; retry to compare its content`);
      }
      throw error;
    }
  }

  async getVersion(componentName: string, version: string): Promise<ComponentVersionEntity> {
    const component = await this.getComponent(componentName);
    const found = await this.components.findVersion(this.transactions.reader, component.id, version);
    if (!found) {
      throw DomainError.notFound('component version', `${componentName}@${version}`);
    }
    return found;
  }

  /**
   * The version a new one is compared with (the highest below it), read whole; refused when a
   * registered version orders the same, i.e. differs only in build metadata.
   */
  private async previousVersion(manager: EntityManager, component: ComponentEntity, version: string): Promise<ComponentVersion | undefined> {
    const numbers = await this.components.versionNumbers(manager, component.id);
    const twin = numbers.find((candidate) => compare(candidate, version) === 0);
    if (twin !== undefined) {
      throw new DomainError(
        DomainErrorCode.Conflict,
        `${component.name}@${version} orders the same as the registered ${twin}: build metadata does not order versions (SemVer §10), so ranges and "the previous version" could not tell them apart; register a new version number`,
      );
    }
    const previousNumber = numbers.filter((candidate) => lt(candidate, version)).sort((a, b) => compare(b, a))[0];
    const previous = previousNumber === undefined ? null : await this.components.findVersion(manager, component.id, previousNumber);
    return previous ? toComponentVersion(previous) : undefined;
  }

  /** Newest first, by semver precedence. */
  async listVersions(componentName: string): Promise<ComponentVersionEntity[]> {
    const component = await this.getComponent(componentName);
    return (await this.components.versionsOf(this.transactions.reader, component.id)).sort((a, b) => compare(b.version, a.version));
  }
}
