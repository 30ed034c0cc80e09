import { Injectable } from '@nestjs/common';
import { DomainError, assertVersionGroupResolves } from '@strata/domain';
import { EventOutbox } from '@strata/messaging';
import { EntityManager } from 'typeorm';
import { DeploymentEntity, DeploymentLocation, DeploymentStatus } from '../entities/deployment.entity';
import { NodeEntity } from '../entities/node.entity';
import { VersionMapChangeEntity } from '../entities/version-map-change.entity';
import { RegistryTransactions } from '../repositories/transactions';
import { VersionMapRepository } from '../repositories/version-map.repository';
import { VersionGroupsService, dependentOf } from './version-groups.service';

export interface DeploymentRequest {
  stack: string;
  environment: string;
  versionGroup: string;
  location: DeploymentLocation;
}

export interface VersionMapView {
  stack: string;
  environment: string;
  slots: DeploymentEntity[];
  nodes: NodeEntity[];
}

@Injectable()
export class DeploymentsService {
  constructor(
    private readonly versionMap: VersionMapRepository,
    private readonly groups: VersionGroupsService,
    private readonly transactions: RegistryTransactions,
    private readonly events: EventOutbox,
  ) {}

  /**
   * Records a version group deployed to a location: each member takes its slot in the version map
   * as `deploying`, every change goes to the history and out as an event, in one transaction.
   * Production deployments are checked again against what is deployed now, which may have moved
   * since the group was created.
   */
  async record(request: DeploymentRequest, actor: string, within?: EntityManager): Promise<DeploymentEntity[]> {
    return this.transactions.run(async (manager) => {
      const group = await this.groups.get(request.stack, request.versionGroup, manager);
      const members = group.members.map((member) => ({ component: member.component.name, version: member.version }));
      const target = await this.groups.target(manager, request.stack, request.environment, members);
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
        if (previous?.componentVersionId === member.id && previous.versionGroupId === group.id) {
          continue;
        }
        await this.versionMap.upsertSlot(manager, {
          environmentId: target.environment.id,
          location: request.location,
          componentId: member.componentId,
          componentVersionId: member.id,
          versionGroupId: group.id,
          status: 'deploying',
        });
        await this.recordChange(manager, {
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
        });
      }
      await this.events.record(
        manager,
        this.events.create('io.strata.registry.deployment.recorded.v1', request.stack, {
          stack: request.stack,
          environment: request.environment,
          location: request.location,
          versionGroup: request.versionGroup,
          members,
          actor,
        }),
      );
      return this.versionMap.deploymentsIn(manager, target.environment.id, request.location);
    }, within);
  }

  /** Moves one slot to a new status (health checks, operators, the rollback service). */
  async setStatus(stackName: string, environmentName: string, location: DeploymentLocation, componentName: string, status: DeploymentStatus, actor: string, reason: string): Promise<DeploymentEntity> {
    return this.transactions.run(async (manager) => {
      const { environmentId, slots } = await this.slotsOf(manager, stackName, environmentName, location, true);
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
      await this.versionMap.updateSlotStatus(manager, slot.id, status, healthSeen);
      await this.recordChange(manager, {
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
      });
      const updated = (await this.versionMap.deploymentsIn(manager, environmentId, location)).find((candidate) => candidate.id === slot.id);
      return updated as DeploymentEntity;
    });
  }

  async view(stackName: string, environmentName: string): Promise<VersionMapView> {
    const manager = this.transactions.reader;
    const { environmentId, slots } = await this.slotsOf(manager, stackName, environmentName);
    return { stack: stackName, environment: environmentName, slots, nodes: await this.versionMap.nodesIn(manager, environmentId) };
  }

  async history(stackName: string, environmentName: string, limit: number): Promise<VersionMapChangeEntity[]> {
    const manager = this.transactions.reader;
    const { environmentId } = await this.slotsOf(manager, stackName, environmentName);
    return this.versionMap.history(manager, environmentId, limit);
  }

  private async slotsOf(manager: EntityManager, stackName: string, environmentName: string, location?: DeploymentLocation, lock = false): Promise<{ environmentId: string; slots: DeploymentEntity[] }> {
    const { environment } = await this.groups.stackEnvironment(manager, stackName, environmentName);
    return { environmentId: environment.id, slots: await this.versionMap.deploymentsIn(manager, environment.id, location, lock) };
  }

  private async recordChange(
    manager: EntityManager,
    change: Omit<VersionMapChangeEntity, 'id' | 'changedAt' | 'component'> & { stack: string; environment: string; component: string; fromStatus: DeploymentStatus | null; toStatus: DeploymentStatus },
  ): Promise<void> {
    const { stack, environment, component, ...row } = change;
    await this.versionMap.appendHistory(manager, row);
    await this.events.record(
      manager,
      this.events.create('io.strata.registry.version-map.changed.v1', stack, {
        stack,
        environment,
        location: change.location as DeploymentLocation,
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
