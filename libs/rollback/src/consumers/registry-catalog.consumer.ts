import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { StrataEvent, Topics } from '@strata/contracts';
import { ConfigValue, DependencyDeclaration, DomainError, DomainViolation, HealthCheck, RollbackAction, isDomainError } from '@strata/domain';
import { EventSubscriber } from '@strata/messaging';
import { Logger } from '@strata/observability';
import { EntityManager } from 'typeorm';
import { CatalogRepository } from '../repositories/catalog.repository';
import { ExecutionsService } from '../services/executions.service';
import { RollbackTriggersService } from '../services/rollback-triggers.service';

/**
 * What the rollback service learns from the registry: the stacks' environments, component versions with their definitions,
 * version groups, deployments recorded for another tool (executions record their own), the nodes
 * app steps wait for, `Deployment` manifests, whose forward execution it starts, and
 * `RollbackTrigger` manifests, whose trigger it creates or replaces.
 */
@Injectable()
export class RegistryCatalogConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger('registry-catalog').child({ service: 'rollback' });

  constructor(
    private readonly subscriber: EventSubscriber,
    private readonly catalog: CatalogRepository,
    private readonly executions: ExecutionsService,
    private readonly triggers: RollbackTriggersService,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.subscriber.subscribe('rollback-catalog', [Topics.registryEvents], {
      'io.strata.registry.stack.created.v1': (event, manager) =>
        this.catalog.recordEnvironments(
          manager,
          event.data.stack,
          event.data.environments.map((environment) => environment.name),
        ),
      'io.strata.registry.environment.added.v1': (event, manager) => this.catalog.recordEnvironments(manager, event.data.stack, [event.data.environment.name]),
      'io.strata.registry.component-version.registered.v1': (event, manager) => this.recordVersion(event, manager),
      'io.strata.registry.version-group.created.v1': (event, manager) => this.catalog.upsertGroup(manager, { stack: event.data.stack, name: event.data.versionGroup, members: event.data.members }),
      'io.strata.registry.deployment.recorded.v1': (event, manager) => this.recordDeployment(event, manager),
      'io.strata.registry.node.changed.v1': (event, manager) =>
        this.catalog.recordNode(manager, {
          stack: event.data.stack,
          environment: event.data.environment,
          component: event.data.component,
          address: event.data.address,
          discoveredVersion: event.data.discoveredVersion,
          health: event.data.health,
          observedAt: String(event.data.observedAt),
        }),
      'io.strata.registry.deployment.declared.v1': (event, manager) => this.startDeclared(event, manager),
      'io.strata.registry.rollback-trigger.declared.v1': (event, manager) => this.putDeclaredTrigger(event, manager),
    });
  }

  private async recordVersion(event: StrataEvent<'io.strata.registry.component-version.registered.v1'>, manager: EntityManager): Promise<void> {
    const { stack, component, version, type, dependencies, definition } = event.data;
    if (!definition) {
      return; // an older registry: the version cannot be executed until it is registered again by a current one
    }
    await this.catalog.upsertVersion(manager, {
      stack,
      component,
      version,
      type,
      dependencies: dependencies as DependencyDeclaration[],
      config: definition.config as Record<string, ConfigValue>,
      spec: (definition.spec ?? {}) as Record<string, unknown>,
      rollback: definition.rollback as unknown as RollbackAction[],
      healthCheck: (definition.healthCheck ?? null) as HealthCheck | null,
      target: definition.target,
    });
  }

  /** A deployment another tool made and the registry recorded: what is deployed moves with it. */
  private async recordDeployment(event: StrataEvent<'io.strata.registry.deployment.recorded.v1'>, manager: EntityManager): Promise<void> {
    const { stack, environment, location, versionGroup, members, executionId } = event.data;
    if (executionId !== undefined || location !== 'production') {
      return; // an execution's own deployment, already applied here step by step; staging slots are not executed
    }
    const versions = await this.catalog.versions(manager, stack, members);
    for (const member of members) {
      const known = versions.get(`${member.component}@${member.version}`);
      await this.catalog.setDeployed(manager, { stack, environment, component: member.component, version: member.version, type: known?.type ?? 'unknown' });
    }
    await this.catalog.pushHistory(manager, stack, environment, versionGroup, null);
  }

  /**
   * A declaration naming what this service never learnt of is dead-lettered (see unknownDeclared).
   * One refused for what is happening here (another execution running, a member's definition an
   * older registry never sent, a plan the executors refuse) is logged, not retried: it fails the
   * same way until someone acts, and a replay later could start a deploy nobody still wants.
   */
  private async startDeclared(event: StrataEvent<'io.strata.registry.deployment.declared.v1'>, manager: EntityManager): Promise<void> {
    const { stack, environment, versionGroup, actor } = event.data;
    const unknown = await this.unknownDeclared(manager, stack, environment, versionGroup);
    if (unknown) {
      throw DomainError.invalid(`a declared Deployment cannot start: ${unknown.field} ${unknown.message}`, [unknown]);
    }
    const [current] = await this.catalog.history(manager, stack, environment, 1);
    if (current === versionGroup) {
      return; // the same manifest applied again: the environment is at that group already
    }
    try {
      await manager.transaction((savepoint) => this.executions.deploy({ stack, environment, versionGroup, dryRun: false }, actor, savepoint));
    } catch (error) {
      if (!isDomainError(error)) throw error;
      this.logger.warn('a declared Deployment was refused', { stack, environment, versionGroup, error: error.message });
    }
  }

  /**
   * The registry declares a Deployment only of a stack, environment and group it has, and announced
   * each before, keyed by the stack: on this consumer's partition, in this consumer's order. One that
   * is still unknown here never will be by waiting (its announcement was dead-lettered, expired
   * before this service first read the topic, or never made: not the registry's event), so it is
   * refused as invalid, which dead-letters it with the field named, kept for a replay.
   */
  private async unknownDeclared(manager: EntityManager, stack: string, environment: string, versionGroup: string): Promise<DomainViolation | null> {
    if (!(await this.catalog.knowsStack(manager, stack))) {
      return { field: 'data.stack', message: `'${stack}' is not a known stack` };
    }
    const environments = await this.catalog.environmentsOf(manager, stack);
    // A stack learnt of before this service kept environments has none recorded: not checked, as a deploy does.
    if (environments.length > 0 && !environments.includes(environment)) {
      return { field: 'data.environment', message: `'${environment}' is not an environment of stack '${stack}' (it has ${environments.map((name) => `'${name}'`).join(', ')})` };
    }
    if (!(await this.catalog.group(manager, stack, versionGroup))) {
      return { field: 'data.versionGroup', message: `'${versionGroup}' is not a version group of stack '${stack}'` };
    }
    return null;
  }

  /**
   * The registry validated the trigger with the same rules, so only a version skew gets a refusal
   * here: it is thrown, and the subscriber dead-letters the event (logged, kept for a replay once
   * both sides agree) rather than retrying what fails the same way every time.
   */
  private async putDeclaredTrigger(event: StrataEvent<'io.strata.registry.rollback-trigger.declared.v1'>, manager: EntityManager): Promise<void> {
    const { stack, environment, name, spec, actor } = event.data;
    await this.triggers.putWithin(manager, { stack, environment, name }, spec, actor);
  }
}
