import { Injectable } from '@nestjs/common';
import { CanDeployAnswer, DependentVersion, DomainError, DomainViolation, HealthStatus, assertVersionGroupResolves, canDeploy, routingTargetViolations, routingTargets, versionKey } from '@strata/domain';
import { EventOutbox } from '@strata/messaging';
import { EntityManager } from 'typeorm';
import { ComponentVersionEntity } from '../entities/component-version.entity';
import { VersionMapEntryEntity } from '../entities/version-map-entry.entity';
import { EnvironmentEntity } from '../entities/environment.entity';
import { StackEntity } from '../entities/stack.entity';
import { VersionGroupEntity } from '../entities/version-group.entity';
import { ComponentsRepository } from '../repositories/components.repository';
import { isUniqueViolation } from '@strata/persistence';
import { RegistryTransactions } from '../repositories/transactions';
import { StacksRepository } from '../repositories/stacks.repository';
import { VersionGroupsRepository } from '../repositories/version-groups.repository';
import { VersionMapRepository } from '../repositories/version-map.repository';

export interface MemberRef {
  component: string;
  version: string;
}

export interface NewVersionGroup {
  stack: string;
  name: string;
  environment: string;
  members: MemberRef[];
}

export interface CompatibilityQuestion {
  stack: string;
  environment: string;
  members: MemberRef[];
}

const HEALTH_BY_STATUS: Partial<Record<VersionMapEntryEntity['status'], HealthStatus>> = {
  healthy: 'healthy',
  degraded: 'degraded',
  failed: 'unhealthy',
};

export function dependentOf(version: ComponentVersionEntity): DependentVersion {
  return { component: version.component.name, version: version.version, dependencies: version.dependencies };
}

/** The target of a group check: the stack, its environment and what is deployed there (production location). */
interface Target {
  stack: StackEntity;
  environment: EnvironmentEntity;
  members: ComponentVersionEntity[];
  deployed: VersionMapEntryEntity[];
}

@Injectable()
export class VersionGroupsService {
  constructor(
    private readonly stacks: StacksRepository,
    private readonly components: ComponentsRepository,
    private readonly versionGroups: VersionGroupsRepository,
    private readonly versionMap: VersionMapRepository,
    private readonly transactions: RegistryTransactions,
    private readonly events: EventOutbox,
  ) {}

  /** The stack and one of its environments, or not-found naming which is missing. */
  async stackEnvironment(stackName: string, environmentName: string, manager: EntityManager): Promise<{ stack: StackEntity; environment: EnvironmentEntity }> {
    const stack = await this.stacks.findByName(manager, stackName);
    if (!stack) {
      throw DomainError.notFound('stack', stackName);
    }
    const environment = await this.stacks.findEnvironment(manager, stack.id, environmentName);
    if (!environment) {
      throw DomainError.notFound('environment', `${stackName}/${environmentName}`);
    }
    return { stack, environment };
  }

  /** Loads the stack, environment and member versions, naming every member that does not exist. */
  async target(stackName: string, environmentName: string, members: readonly MemberRef[], manager: EntityManager): Promise<Target> {
    const { stack, environment } = await this.stackEnvironment(stackName, environmentName, manager);
    const found = await this.components.findVersions(manager, members);
    const violations: DomainViolation[] = [];
    if (members.length === 0) {
      violations.push({ field: 'members', message: 'must name at least one component version' });
    }
    members.forEach((member, index) => {
      const version = found.find((candidate) => candidate.component.name === member.component && candidate.version === member.version);
      if (!version) {
        violations.push({ field: `members[${index}]`, message: `${versionKey(member.component, member.version)} is not registered` });
      } else if (version.component.stackId !== stack.id) {
        violations.push({ field: `members[${index}]`, message: `${member.component} belongs to another stack` });
      }
    });
    if (violations.length > 0) {
      throw DomainError.invalid(`the members of the version group are invalid`, violations);
    }
    const ordered = members.map((member) => found.find((candidate) => candidate.component.name === member.component && candidate.version === member.version) as ComponentVersionEntity);
    return { stack, environment, members: ordered, deployed: await this.versionMap.deploymentsIn(manager, environment.id, 'production') };
  }

  /** Creates a group only if its members and what stays deployed satisfy each other (409 naming each conflict). */
  async create(input: NewVersionGroup, actor: string, within?: EntityManager): Promise<VersionGroupEntity> {
    try {
      return await this.transactions.run(async (manager) => {
        const target = await this.target(input.stack, input.environment, input.members, manager);
        await this.assertRoutingTargetsExist(target, manager);
        assertVersionGroupResolves({
          environment: input.environment,
          members: target.members.map(dependentOf),
          deployed: target.deployed.map((slot) => dependentOf(slot.componentVersion)),
        });
        const group = await this.versionGroups.insert(manager, {
          stackId: target.stack.id,
          name: input.name,
          environment: input.environment,
          members: target.members,
          createdBy: actor,
        });
        await this.events.record(
          manager,
          this.events.create('io.strata.registry.version-group.created.v1', input.stack, {
            stack: input.stack,
            versionGroup: input.name,
            environment: input.environment,
            members: input.members,
          }),
        );
        return group;
      }, within);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw DomainError.alreadyExists('version group', `${input.stack}/${input.name}`);
      }
      throw error;
    }
  }

  /** The components the group's lb-rules and network policies name are the stack's (an lb-rule's, apps). */
  private async assertRoutingTargetsExist(target: Target, manager: EntityManager): Promise<void> {
    const members = target.members.map((member, index) => ({ field: `members[${index}]`, name: versionKey(member.component.name, member.version), type: member.component.type, spec: member.spec }));
    const named = [...new Set(members.flatMap((member) => routingTargets(member.type, member.spec).map((routed) => routed.component)))];
    const known = new Map((await this.components.findComponents(manager, named)).filter((component) => component.stackId === target.stack.id).map((component) => [component.name, component.type]));
    const violations = members.flatMap((member) => routingTargetViolations(member, target.stack.name, known));
    if (violations.length > 0) {
      throw DomainError.invalid('the version group routes to components its stack does not have', violations);
    }
  }

  async get(stackName: string, name: string, within?: EntityManager): Promise<VersionGroupEntity> {
    const manager = within ?? this.transactions.reader;
    const stack = await this.stacks.findByName(manager, stackName);
    const group = stack ? await this.versionGroups.find(manager, stack.id, name) : null;
    if (!group) {
      throw DomainError.notFound('version group', `${stackName}/${name}`);
    }
    return group;
  }

  async list(stackName: string): Promise<VersionGroupEntity[]> {
    const stack = await this.stacks.findByName(this.transactions.reader, stackName);
    if (!stack) {
      throw DomainError.notFound('stack', stackName);
    }
    return this.versionGroups.groupsOf(this.transactions.reader, stack.id);
  }

  /** Can-I-deploy: the dry run of group creation plus what is known of each member's health. */
  async compatibility(question: CompatibilityQuestion): Promise<CanDeployAnswer> {
    const manager = this.transactions.reader;
    const target = await this.target(question.stack, question.environment, question.members, manager);
    const seen = await this.versionMap.seenHealth(manager, target.members.map((member) => member.id));
    const health = new Map<string, HealthStatus>();
    for (const slot of seen.filter((candidate) => candidate.healthSeenAt !== null).sort((a, b) => (a.healthSeenAt as Date).getTime() - (b.healthSeenAt as Date).getTime())) {
      const status = HEALTH_BY_STATUS[slot.status];
      if (status) {
        health.set(versionKey(slot.component.name, slot.componentVersion.version), status);
      }
    }
    return canDeploy({
      environment: question.environment,
      members: target.members.map(dependentOf),
      deployed: target.deployed.map((slot) => dependentOf(slot.componentVersion)),
      health,
    });
  }
}
