import { Injectable } from '@nestjs/common';
import { ExecutionChangedV1 } from '@strata/contracts';
import { EntityManager } from 'typeorm';
import { VersionMapEntryEntity, VersionMapLocation, VersionMapStatus } from '../entities/version-map-entry.entity';
import { VersionMapRepository } from '../repositories/version-map.repository';
import { VersionGroupsService } from './version-groups.service';
import { VersionMapService } from './version-map.service';

/** Executions bring the production location of an environment to a group. */
const LOCATION: VersionMapLocation = 'production';

/**
 * The version map follows the rollback service's executions: a deploy records the group
 * (`deploying`), each member becomes `deployed` as its step succeeds; a rollback marks each bad
 * version `rolled-back` and the restored one `deployed` as its revert step succeeds; a finished
 * execution's group is the environment's deployed group, the one it replaced retired. A failed
 * execution leaves the slots it did not reach as they were: nothing half-applied reads as done.
 */
@Injectable()
export class ExecutionVersionMapService {
  constructor(
    private readonly versionMap: VersionMapRepository,
    private readonly service: VersionMapService,
    private readonly groups: VersionGroupsService,
  ) {}

  async follow(manager: EntityManager, change: ExecutionChangedV1): Promise<void> {
    const actor = `execution ${change.executionId} (${change.actor})`;
    if (change.change === 'started' && change.kind === 'deploy') {
      await this.service.record({ stack: change.stack, environment: change.environment, versionGroup: change.versionGroup, location: LOCATION }, actor, manager, change.executionId);
      return;
    }
    const step = change.step;
    if (change.change === 'step-succeeded' && step && step.action !== 'traffic') {
      await this.moveSlot(manager, change, step.component, step.fromVersion, step.toVersion, step.action === 'revert', actor);
      return;
    }
    if (change.change === 'succeeded') {
      await this.settleGroup(manager, change, actor);
    }
  }

  private async moveSlot(manager: EntityManager, change: ExecutionChangedV1, component: string, fromVersion: string | null, toVersion: string | null, revert: boolean, actor: string): Promise<void> {
    const { environment } = await this.groups.stackEnvironment(change.stack, change.environment, manager);
    const slot = (await this.versionMap.deploymentsIn(manager, environment.id, LOCATION, true)).find((candidate) => candidate.component.name === component);
    if (revert && slot && slot.componentVersion.version === fromVersion) {
      await this.setStatus(manager, change, slot, 'rolled-back', actor, `rolled back to ${toVersion ?? 'nothing'}`);
    }
    if (toVersion === null) return;
    const group = await this.groups.get(change.stack, change.versionGroup, manager);
    const target = await this.groups.target(change.stack, change.environment, [{ component, version: toVersion }], manager);
    const member = target.members[0];
    if (!member) return;
    await this.versionMap.upsertEntry(manager, { environmentId: environment.id, location: LOCATION, componentId: member.componentId, componentVersionId: member.id, versionGroupId: group.id, status: 'deployed', executionId: change.executionId });
    await this.service.recordChange(
      {
        stack: change.stack,
        environment: change.environment,
        environmentId: environment.id,
        location: LOCATION,
        component,
        componentId: member.componentId,
        fromVersion: slot?.componentVersion.version ?? null,
        toVersion,
        fromStatus: slot && !revert ? slot.status : revert && slot ? 'rolled-back' : null,
        toStatus: 'deployed',
        actor,
        reason: `${change.kind} of ${change.versionGroup}: step succeeded`,
      },
      manager,
    );
  }

  /** The group is the environment's deployed group: members an unchanged slot kept are `deployed` too, the replaced groups retired. */
  private async settleGroup(manager: EntityManager, change: ExecutionChangedV1, actor: string): Promise<void> {
    const { environment } = await this.groups.stackEnvironment(change.stack, change.environment, manager);
    const group = await this.groups.get(change.stack, change.versionGroup, manager);
    for (const slot of await this.versionMap.deploymentsIn(manager, environment.id, LOCATION, true)) {
      if (slot.status === 'deploying' && slot.executionId === change.executionId) {
        await this.setStatus(manager, change, slot, 'deployed', actor, `${change.kind} of ${change.versionGroup} succeeded`);
      }
    }
    await this.versionMap.activateGroup(manager, { environmentId: environment.id, location: LOCATION, versionGroupId: group.id, deployedBy: actor });
    const replaced = (await this.versionMap.activeGroups(manager, environment.id, LOCATION)).filter((deployed) => deployed.versionGroupId !== group.id);
    await this.versionMap.retireGroups(manager, replaced.map((deployed) => deployed.id), actor, `replaced by ${change.versionGroup} (${change.kind})`);
  }

  private async setStatus(manager: EntityManager, change: ExecutionChangedV1, slot: VersionMapEntryEntity, status: VersionMapStatus, actor: string, reason: string): Promise<void> {
    await this.versionMap.updateEntryStatus(manager, slot.id, status, false);
    await this.service.recordChange(
      {
        stack: change.stack,
        environment: change.environment,
        environmentId: slot.environmentId,
        location: LOCATION,
        component: slot.component.name,
        componentId: slot.componentId,
        fromVersion: slot.componentVersion.version,
        toVersion: slot.componentVersion.version,
        fromStatus: slot.status,
        toStatus: status,
        actor,
        reason,
      },
      manager,
    );
  }
}
