import { Injectable } from '@nestjs/common';
import { DomainError, DomainErrorCode, assertVersionGroupResolves, groupsRetiredByRollout, isDomainError } from '@strata/domain';
import { EventOutbox } from '@strata/messaging';
import { EntityManager } from 'typeorm';
import { DeployedGroupEntity } from '../entities/deployed-group.entity';
import { VersionMapEntryEntity, VersionMapLocation, VersionMapStatus } from '../entities/version-map-entry.entity';
import { NodeEntity } from '../entities/node.entity';
import { VersionMapChangeEntity } from '../entities/version-map-change.entity';
import { RegistryTransactions } from '../repositories/transactions';
import { NodesRepository } from '../repositories/nodes.repository';
import { VersionMapRepository } from '../repositories/version-map.repository';
import { VersionGroupsService, dependentOf } from './version-groups.service';

export interface DeploymentRequest {
  stack: string;
  environment: string;
  versionGroup: string;
  location: VersionMapLocation;
}

export interface VersionMapView {
  stack: string;
  environment: string;
  slots: VersionMapEntryEntity[];
  nodes: NodeEntity[];
  /** The groups deployed to each location and not retired. */
  groups: DeployedGroupEntity[];
}

/** How a rollout of routing-control ended (`rollout.transitioned` to promoted or rolled-back). */
export interface RolloutOutcome {
  stack: string;
  environment: string;
  rollout: string;
  versionGroup: string;
  phase: string;
}

/** Rollouts route the production location's traffic: their end retires groups there. */
const ROLLOUT_LOCATION: VersionMapLocation = 'production';
const ROLLOUT_ACTOR = 'routing-control';

@Injectable()
export class VersionMapService {
  constructor(
    private readonly versionMap: VersionMapRepository,
    private readonly nodes: NodesRepository,
    private readonly groups: VersionGroupsService,
    private readonly transactions: RegistryTransactions,
    private readonly events: EventOutbox,
  ) {}

  /**
   * Records a version group deployed to a location: each member takes its slot in the version map
   * as `deploying`, every change goes to the history and out as an event, in one transaction.
   * Production deployments are checked again against what is deployed now, which may have moved
   * since the group was created. Groups deployed there before stay deployed beside it (a canary
   * runs next to the stable group) until retired.
   */
  async record(request: DeploymentRequest, actor: string, within?: EntityManager, executionId?: string): Promise<VersionMapEntryEntity[]> {
    return this.transactions.run(async (manager) => {
      const group = await this.groups.get(request.stack, request.versionGroup, manager);
      const members = group.members.map((member) => ({ component: member.component.name, version: member.version }));
      const target = await this.groups.target(request.stack, request.environment, members, manager);
      const current = await this.versionMap.deploymentsIn(manager, target.environment.id, request.location, true);
      if (request.location === 'production') {
        assertVersionGroupResolves({
          environment: request.environment,
          members: target.members.map(dependentOf),
          deployed: current.map((slot) => dependentOf(slot.componentVersion)),
        });
      }
      for (const member of target.members) {
        const previous = current.find((slot) => slot.componentId === member.componentId);
        if (previous?.componentVersionId === member.id && previous.versionGroupId === group.id && previous.executionId === (executionId ?? null)) {
          continue;
        }
        await this.versionMap.upsertEntry(manager, {
          environmentId: target.environment.id,
          location: request.location,
          componentId: member.componentId,
          componentVersionId: member.id,
          versionGroupId: group.id,
          status: 'deploying',
          executionId: executionId ?? null,
          // An execution claims the slot until its step applies it; a deployment another tool made is already there.
          ...(executionId
            ? { beforeClaim: previous?.beforeClaim ?? (previous ? { componentVersionId: previous.componentVersionId, versionGroupId: previous.versionGroupId, status: previous.status, executionId: previous.executionId } : { empty: true as const }) }
            : {}),
        });
        await this.recordChange({
          stack: request.stack,
          environment: request.environment,
          environmentId: target.environment.id,
          location: request.location,
          component: member.component.name,
          componentId: member.componentId,
          fromVersion: previous?.componentVersion.version ?? null,
          toVersion: member.version,
          fromStatus: previous?.status ?? null,
          toStatus: 'deploying',
          actor,
          reason: `deployment of ${request.versionGroup}`,
        }, manager);
      }
      await this.versionMap.activateGroup(manager, { environmentId: target.environment.id, location: request.location, versionGroupId: group.id, deployedBy: actor });
      await this.events.record(
        manager,
        this.events.create('io.strata.registry.deployment.recorded.v1', request.stack, {
          stack: request.stack,
          environment: request.environment,
          location: request.location,
          versionGroup: request.versionGroup,
          members,
          actor,
          ...(executionId ? { executionId } : {}),
        }),
      );
      return this.versionMap.deploymentsIn(manager, target.environment.id, request.location);
    }, within);
  }

  /** Moves one slot to a new status (health checks, operators, the rollback service). */
  async setStatus(stackName: string, environmentName: string, location: VersionMapLocation, componentName: string, status: VersionMapStatus, actor: string, reason: string): Promise<VersionMapEntryEntity> {
    return this.transactions.run(async (manager) => {
      const { environmentId, slots } = await this.slotsOf(stackName, environmentName, location, true, manager);
      const slot = slots.find((candidate) => candidate.component.name === componentName);
      if (!slot) {
        throw DomainError.notFound('deployment', `${componentName} in ${stackName}/${environmentName} (${location})`);
      }
      const healthSeen = status === 'healthy' || status === 'degraded' || status === 'failed';
      if (slot.status === status) {
        if (healthSeen) {
          await this.versionMap.touchHealthSeen(manager, slot.id);
        }
        return slot;
      }
      await this.versionMap.updateEntryStatus(manager, slot.id, status, healthSeen);
      await this.recordChange({
        stack: stackName,
        environment: environmentName,
        environmentId,
        location,
        component: componentName,
        componentId: slot.componentId,
        fromVersion: slot.componentVersion.version,
        toVersion: slot.componentVersion.version,
        fromStatus: slot.status,
        toStatus: status,
        actor,
        reason,
      }, manager);
      const updated = (await this.versionMap.deploymentsIn(manager, environmentId, location)).find((candidate) => candidate.id === slot.id);
      return updated as VersionMapEntryEntity;
    });
  }

  async view(stackName: string, environmentName: string): Promise<VersionMapView> {
    const manager = this.transactions.reader;
    const { environmentId, slots } = await this.slotsOf(stackName, environmentName, undefined, false, manager);
    const nodes = await this.nodes.nodesIn(manager, environmentId);
    return { stack: stackName, environment: environmentName, slots, nodes, groups: await this.versionMap.activeGroups(manager, environmentId) };
  }

  /**
   * An operator retires a group from a location (a cutover made without a rollout): the versions
   * of its members are no longer expected there, and nodes still running them are flagged.
   * Deploying the group again brings it back.
   */
  async retire(stackName: string, environmentName: string, location: VersionMapLocation, versionGroup: string, actor: string): Promise<void> {
    await this.transactions.run(async (manager) => {
      const { environment } = await this.groups.stackEnvironment(stackName, environmentName, manager);
      const deployed = (await this.versionMap.activeGroups(manager, environment.id, location)).find((candidate) => candidate.versionGroup.name === versionGroup);
      if (!deployed) {
        throw DomainError.notFound('deployed version group', `${versionGroup} in ${stackName}/${environmentName} (${location})`);
      }
      await this.versionMap.retireGroups(manager, [deployed.id], actor, 'retired by an operator');
    });
  }

  /**
   * A rollout ended: promoted retires the groups deployed to the production location before its
   * canary (the stable it replaced), rolled back retires the canary (see groupsRetiredByRollout).
   */
  async retireAfterRollout(outcome: RolloutOutcome, within?: EntityManager): Promise<void> {
    await this.transactions.run(async (manager) => {
      const environment = await this.environmentIfKnown(outcome.stack, outcome.environment, manager);
      if (!environment) {
        return; // not a stack or environment of this registry: nothing of it is deployed here
      }
      const deployed = await this.versionMap.activeGroups(manager, environment.id, ROLLOUT_LOCATION);
      const retired = groupsRetiredByRollout(
        { name: outcome.rollout, phase: outcome.phase, versionGroup: outcome.versionGroup },
        deployed.map((candidate) => ({ versionGroup: candidate.versionGroup.name, deployedAt: candidate.deployedAt.getTime() })),
      );
      for (const retirement of retired) {
        const ids = deployed.filter((candidate) => candidate.versionGroup.name === retirement.versionGroup).map((candidate) => candidate.id);
        await this.versionMap.retireGroups(manager, ids, ROLLOUT_ACTOR, retirement.reason);
      }
    }, within);
  }

  private async environmentIfKnown(stackName: string, environmentName: string, manager: EntityManager): Promise<{ id: string } | null> {
    try {
      return (await this.groups.stackEnvironment(stackName, environmentName, manager)).environment;
    } catch (error) {
      if (isDomainError(error) && error.code === DomainErrorCode.NotFound) {
        return null;
      }
      throw error;
    }
  }

  /** Entries whose deployed version declares a health check, with what probing them needs. */
  entriesWithHealthChecks(): Promise<VersionMapEntryEntity[]> {
    return this.versionMap.entriesWithHealthChecks(this.transactions.reader);
  }

  async history(stackName: string, environmentName: string, limit: number): Promise<VersionMapChangeEntity[]> {
    const manager = this.transactions.reader;
    const { environmentId } = await this.slotsOf(stackName, environmentName, undefined, false, manager);
    return this.versionMap.history(manager, environmentId, limit);
  }

  private async slotsOf(stackName: string, environmentName: string, location: VersionMapLocation | undefined, lock: boolean, manager: EntityManager): Promise<{ environmentId: string; slots: VersionMapEntryEntity[] }> {
    const { environment } = await this.groups.stackEnvironment(stackName, environmentName, manager);
    return { environmentId: environment.id, slots: await this.versionMap.deploymentsIn(manager, environment.id, location, lock) };
  }

  async recordChange(
    change: Omit<VersionMapChangeEntity, 'id' | 'changedAt' | 'component'> & { stack: string; environment: string; component: string; fromStatus: VersionMapStatus | null; toStatus: VersionMapStatus },
    manager: EntityManager,
  ): Promise<void> {
    const { stack, environment, component, ...row } = change;
    await this.versionMap.appendHistory(manager, row);
    await this.events.record(
      manager,
      this.events.create('io.strata.registry.version-map.changed.v1', stack, {
        stack,
        environment,
        location: change.location as VersionMapLocation,
        component,
        fromVersion: change.fromVersion,
        toVersion: change.toVersion,
        fromStatus: change.fromStatus,
        toStatus: change.toStatus,
        actor: change.actor,
      }),
    );
  }
}
