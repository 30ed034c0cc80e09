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
 * execution's group is the environment's deployed group, the one it replaced retired. A failed or
 * abandoned execution puts back the slots it claimed and did not reach (`beforeClaim`): nothing
 * half-applied reads as done, and nothing it did not apply reads as there.
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
    // A retried deploy claims again the slots its failure put back (those it applied are skipped as unchanged).
    if ((change.change === 'started' || change.change === 'retried') && change.kind === 'deploy') {
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
      return;
    }
    if (change.change === 'failed' || change.change === 'abandoned') {
      await this.releaseClaims(manager, change, actor);
    }
  }

  /**
   * The slots the execution claimed and did not reach hold again what they held before it, and
   * its group, when it no longer holds any slot, is no longer listed as deployed there.
   */
  private async releaseClaims(manager: EntityManager, change: ExecutionChangedV1, actor: string): Promise<void> {
    const { environment } = await this.groups.stackEnvironment(change.stack, change.environment, manager);
    const slots = await this.versionMap.deploymentsIn(manager, environment.id, LOCATION, true);
    const claimed = slots.filter((slot) => slot.status === 'deploying' && slot.executionId === change.executionId);
    for (const slot of claimed) {
      const before = slot.beforeClaim;
      if (!before) continue;
      await this.versionMap.releaseClaim(manager, slot, before);
      if ('empty' in before) continue; // the component was not deployed there: nothing to show but its absence
      const restored = await this.versionMap.componentVersion(manager, before.componentVersionId);
      await this.service.recordChange(
        {
          stack: change.stack,
          environment: change.environment,
          environmentId: environment.id,
          location: LOCATION,
          component: slot.component.name,
          componentId: slot.componentId,
          fromVersion: slot.componentVersion.version,
          toVersion: restored?.version ?? slot.componentVersion.version,
          fromStatus: 'deploying',
          toStatus: before.status,
          actor,
          reason: `${change.kind} of ${change.versionGroup} ${change.change} before applying ${slot.component.name}: it holds what it held before`,
        },
        manager,
      );
    }
    const group = await this.groups.get(change.stack, change.versionGroup, manager);
    const released = new Set(claimed.map((slot) => slot.id));
    const stillHeld = slots.some((slot) => slot.versionGroupId === group.id && !(released.has(slot.id) && slot.beforeClaim));
    if (!stillHeld) {
      const activatedByIt = (await this.versionMap.activeGroups(manager, environment.id, LOCATION)).filter(
        (deployed) => deployed.versionGroupId === group.id && deployed.deployedBy.startsWith(`execution ${change.executionId} `),
      );
      await this.versionMap.retireGroups(manager, activatedByIt.map((deployed) => deployed.id), actor, `${change.kind} ${change.change} before applying any member`);
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
