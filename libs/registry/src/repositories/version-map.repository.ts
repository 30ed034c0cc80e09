import { Injectable } from '@nestjs/common';
import { EntityManager, In, IsNull } from 'typeorm';
import { REGISTRY_SCHEMA } from '../database/registry-schema';
import { DeployedGroupEntity } from '../entities/deployed-group.entity';
import { ComponentVersionEntity } from '../entities/component-version.entity';
import { SlotBeforeClaim, VersionMapEntryEntity, VersionMapLocation, VersionMapStatus } from '../entities/version-map-entry.entity';
import { VersionMapChangeEntity } from '../entities/version-map-change.entity';

/**
 * The only code reading or writing the version map of an environment: which component version
 * each slot (environment, location, component) holds and its status, the history of those changes,
 * and which version groups are deployed to each location.
 */
@Injectable()
export class VersionMapRepository {
  /** Every slot of an environment, in both locations unless one is named, with component and version. */
  deploymentsIn(manager: EntityManager, environmentId: string, location?: VersionMapLocation, lock = false): Promise<VersionMapEntryEntity[]> {
    return manager.find(VersionMapEntryEntity, {
      where: { environmentId, ...(location ? { location } : {}) },
      relations: { component: true, componentVersion: { component: true } },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const, tables: ['deployments'] } } : {}),
    });
  }

  /** Versions whose health a check has seen somewhere, with the status they had then. */
  async seenHealth(manager: EntityManager, componentVersionIds: readonly string[]): Promise<VersionMapEntryEntity[]> {
    if (componentVersionIds.length === 0) {
      return [];
    }
    return manager.find(VersionMapEntryEntity, {
      where: { componentVersionId: In([...componentVersionIds]) },
      relations: { component: true, componentVersion: { component: true } },
    });
  }

  /** `beforeClaim`: given when an execution claims the slot; any other write resolves a claim. */
  async upsertEntry(
    manager: EntityManager,
    slot: Pick<VersionMapEntryEntity, 'environmentId' | 'location' | 'componentId' | 'componentVersionId' | 'versionGroupId' | 'status' | 'executionId'> & { beforeClaim?: SlotBeforeClaim },
  ): Promise<void> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(VersionMapEntryEntity)
      .values({ ...slot, beforeClaim: slot.beforeClaim ?? null, since: () => 'now()', healthSeenAt: null })
      .orUpdate(['component_version_id', 'version_group_id', 'status', 'since', 'health_seen_at', 'execution_id', 'before_claim'], ['environment_id', 'location', 'component_id'])
      .execute();
  }

  /** A status change (a step, a health check, an operator) resolves any claim: the slot moved on. */
  async updateEntryStatus(manager: EntityManager, id: string, status: VersionMapStatus, healthSeen: boolean): Promise<void> {
    await manager.update(VersionMapEntryEntity, { id }, { status, beforeClaim: null, since: () => 'now()', ...(healthSeen ? { healthSeenAt: () => 'now()' } : {}) });
  }

  /** Puts back what a slot held before a claim (`before` is its `beforeClaim`), or removes a slot that was empty. */
  async releaseClaim(manager: EntityManager, slot: VersionMapEntryEntity, before: SlotBeforeClaim): Promise<void> {
    if ('empty' in before) {
      await manager.delete(VersionMapEntryEntity, { id: slot.id });
      return;
    }
    await manager.update(
      VersionMapEntryEntity,
      { id: slot.id },
      { componentVersionId: before.componentVersionId, versionGroupId: before.versionGroupId, status: before.status, executionId: before.executionId, beforeClaim: null, since: () => 'now()' },
    );
  }

  componentVersion(manager: EntityManager, id: string): Promise<ComponentVersionEntity | null> {
    return manager.findOneBy(ComponentVersionEntity, { id });
  }

  async touchHealthSeen(manager: EntityManager, id: string): Promise<void> {
    await manager.update(VersionMapEntryEntity, { id }, { healthSeenAt: () => 'now()' });
  }

  async appendHistory(manager: EntityManager, change: Omit<VersionMapChangeEntity, 'id' | 'changedAt' | 'component'>): Promise<void> {
    await manager.insert(VersionMapChangeEntity, change);
  }

  history(manager: EntityManager, environmentId: string, limit: number): Promise<VersionMapChangeEntity[]> {
    return manager.find(VersionMapChangeEntity, { where: { environmentId }, relations: { component: true }, order: { id: 'DESC' }, take: limit });
  }

  /** The groups deployed to an environment (one location, or both) and not retired, newest first, with their members. */
  activeGroups(manager: EntityManager, environmentId: string, location?: VersionMapLocation): Promise<DeployedGroupEntity[]> {
    return manager.find(DeployedGroupEntity, {
      where: { environmentId, ...(location ? { location } : {}), retiredAt: IsNull() },
      relations: { versionGroup: { members: { component: true } } },
      order: { deployedAt: 'DESC' },
    });
  }

  /**
   * Marks a group deployed to a location. Deploying a group that is already there changes nothing
   * (its deployment time orders it among the others); one that was retired is deployed anew.
   */
  async activateGroup(manager: EntityManager, deployment: Pick<DeployedGroupEntity, 'environmentId' | 'location' | 'versionGroupId' | 'deployedBy'>): Promise<void> {
    await manager.query(
      `INSERT INTO "${REGISTRY_SCHEMA}".deployed_groups (environment_id, location, version_group_id, deployed_at, deployed_by)
       VALUES ($1, $2, $3, now(), $4)
       ON CONFLICT (environment_id, location, version_group_id) DO UPDATE
         SET deployed_at = now(), deployed_by = EXCLUDED.deployed_by, retired_at = NULL, retired_by = NULL, retired_reason = NULL
         WHERE deployed_groups.retired_at IS NOT NULL`,
      [deployment.environmentId, deployment.location, deployment.versionGroupId, deployment.deployedBy],
    );
  }

  async retireGroups(manager: EntityManager, ids: readonly string[], retiredBy: string, reason: string): Promise<void> {
    if (ids.length > 0) {
      await manager.update(DeployedGroupEntity, { id: In([...ids]), retiredAt: IsNull() }, { retiredAt: () => 'now()', retiredBy, retiredReason: reason.slice(0, 2_000) });
    }
  }

  /** Slots whose deployed version declares a health check, with what probing them needs. */
  entriesWithHealthChecks(manager: EntityManager): Promise<VersionMapEntryEntity[]> {
    return manager
      .createQueryBuilder(VersionMapEntryEntity, 'slot')
      .innerJoinAndSelect('slot.environment', 'environment')
      .innerJoinAndSelect('environment.stack', 'stack')
      .innerJoinAndSelect('slot.component', 'component')
      .innerJoinAndSelect('slot.componentVersion', 'version')
      .where("slot.status <> 'rolled-back'")
      .andWhere('version.health_check IS NOT NULL')
      .getMany();
  }
}
