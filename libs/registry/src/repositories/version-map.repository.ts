import { Injectable } from '@nestjs/common';
import { EntityManager, In, IsNull } from 'typeorm';
import { REGISTRY_SCHEMA } from '../database/registry-schema';
import { ComponentEntity } from '../entities/component.entity';
import { DeployedGroupEntity } from '../entities/deployed-group.entity';
import { DeploymentEntity, DeploymentLocation, DeploymentStatus } from '../entities/deployment.entity';
import { EnvironmentEntity } from '../entities/environment.entity';
import { NodeEntity } from '../entities/node.entity';
import { VersionGroupEntity } from '../entities/version-group.entity';
import { VersionMapChangeEntity } from '../entities/version-map-change.entity';

/** The only code reading or writing version groups, the version map, its history and nodes. */
@Injectable()
export class VersionMapRepository {
  findEnvironment(manager: EntityManager, stackId: string, name: string): Promise<EnvironmentEntity | null> {
    return manager.findOne(EnvironmentEntity, { where: { stackId, name } });
  }

  findGroup(manager: EntityManager, stackId: string, name: string): Promise<VersionGroupEntity | null> {
    return manager.findOne(VersionGroupEntity, { where: { stackId, name }, relations: { members: { component: true }, stack: true } });
  }

  groupsOf(manager: EntityManager, stackId: string): Promise<VersionGroupEntity[]> {
    return manager.find(VersionGroupEntity, { where: { stackId }, relations: { members: { component: true }, stack: true }, order: { createdAt: 'DESC' } });
  }

  async insertGroup(manager: EntityManager, group: Pick<VersionGroupEntity, 'stackId' | 'name' | 'environment' | 'members' | 'createdBy'>): Promise<VersionGroupEntity> {
    const saved = await manager.save(manager.create(VersionGroupEntity, group));
    return manager.findOneOrFail(VersionGroupEntity, { where: { id: saved.id }, relations: { members: { component: true }, stack: true } });
  }

  /** Every slot of an environment, in both locations unless one is named, with component and version. */
  deploymentsIn(manager: EntityManager, environmentId: string, location?: DeploymentLocation, lock = false): Promise<DeploymentEntity[]> {
    return manager.find(DeploymentEntity, {
      where: { environmentId, ...(location ? { location } : {}) },
      relations: { component: true, componentVersion: { component: true } },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const, tables: ['deployments'] } } : {}),
    });
  }

  /** Versions whose health a check has seen somewhere, with the status they had then. */
  async seenHealth(manager: EntityManager, componentVersionIds: readonly string[]): Promise<DeploymentEntity[]> {
    if (componentVersionIds.length === 0) {
      return [];
    }
    return manager.find(DeploymentEntity, {
      where: { componentVersionId: In([...componentVersionIds]) },
      relations: { component: true, componentVersion: { component: true } },
    });
  }

  async upsertSlot(
    manager: EntityManager,
    slot: Pick<DeploymentEntity, 'environmentId' | 'location' | 'componentId' | 'componentVersionId' | 'versionGroupId' | 'status'>,
  ): Promise<void> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(DeploymentEntity)
      .values({ ...slot, since: () => 'now()', healthSeenAt: null })
      .orUpdate(['component_version_id', 'version_group_id', 'status', 'since', 'health_seen_at'], ['environment_id', 'location', 'component_id'])
      .execute();
  }

  async updateSlotStatus(manager: EntityManager, id: string, status: DeploymentStatus, healthSeen: boolean): Promise<void> {
    await manager.update(DeploymentEntity, { id }, { status, since: () => 'now()', ...(healthSeen ? { healthSeenAt: () => 'now()' } : {}) });
  }

  async touchHealthSeen(manager: EntityManager, id: string): Promise<void> {
    await manager.update(DeploymentEntity, { id }, { healthSeenAt: () => 'now()' });
  }

  async appendHistory(manager: EntityManager, change: Omit<VersionMapChangeEntity, 'id' | 'changedAt' | 'component'>): Promise<void> {
    await manager.insert(VersionMapChangeEntity, change);
  }

  history(manager: EntityManager, environmentId: string, limit: number): Promise<VersionMapChangeEntity[]> {
    return manager.find(VersionMapChangeEntity, { where: { environmentId }, relations: { component: true }, order: { id: 'DESC' }, take: limit });
  }

  nodesIn(manager: EntityManager, environmentId: string): Promise<NodeEntity[]> {
    return manager.find(NodeEntity, { where: { environmentId }, relations: { component: true }, order: { address: 'ASC' } });
  }

  /** The groups deployed to an environment (one location, or both) and not retired, newest first, with their members. */
  activeGroups(manager: EntityManager, environmentId: string, location?: DeploymentLocation): Promise<DeployedGroupEntity[]> {
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

  findNode(manager: EntityManager, key: Pick<NodeEntity, 'environmentId' | 'location' | 'componentId' | 'address'>): Promise<NodeEntity | null> {
    return manager.findOne(NodeEntity, { where: key, lock: { mode: 'pessimistic_write' } });
  }

  async saveNode(manager: EntityManager, node: Partial<NodeEntity>): Promise<NodeEntity> {
    return manager.save(manager.create(NodeEntity, node));
  }

  /** Slots whose deployed version declares a health check, with what probing them needs. */
  slotsWithHealthChecks(manager: EntityManager): Promise<DeploymentEntity[]> {
    return manager
      .createQueryBuilder(DeploymentEntity, 'slot')
      .innerJoinAndSelect('slot.environment', 'environment')
      .innerJoinAndSelect('environment.stack', 'stack')
      .innerJoinAndSelect('slot.component', 'component')
      .innerJoinAndSelect('slot.componentVersion', 'version')
      .where("slot.status <> 'rolled-back'")
      .andWhere('version.health_check IS NOT NULL')
      .getMany();
  }

  nodesOfSlot(manager: EntityManager, slot: Pick<DeploymentEntity, 'environmentId' | 'location' | 'componentId'>): Promise<NodeEntity[]> {
    return manager.find(NodeEntity, { where: { environmentId: slot.environmentId, location: slot.location, componentId: slot.componentId }, order: { address: 'ASC' } });
  }

  /** The names a node's events carry. */
  async nodeScope(manager: EntityManager, node: NodeEntity): Promise<{ stack: string; environment: string; component: string }> {
    const environment = await manager.findOneOrFail(EnvironmentEntity, { where: { id: node.environmentId }, relations: { stack: true } });
    const component = await manager.findOneOrFail(ComponentEntity, { where: { id: node.componentId } });
    return { stack: environment.stack.name, environment: environment.name, component: component.name };
  }

  /** Nodes silent for longer than `silentForSeconds` that are not yet marked unhealthy. */
  staleNodes(manager: EntityManager, silentForSeconds: number): Promise<NodeEntity[]> {
    return manager
      .createQueryBuilder(NodeEntity, 'node')
      .where("node.health <> 'unhealthy'")
      .andWhere('node.last_seen < now() - make_interval(secs => :seconds)', { seconds: silentForSeconds })
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
  }
}
