import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ComponentEntity } from '../entities/component.entity';
import { VersionMapEntryEntity } from '../entities/version-map-entry.entity';
import { EnvironmentEntity } from '../entities/environment.entity';
import { NodeEntity } from '../entities/node.entity';

/** The only code reading or writing nodes: the backends that announce themselves by heartbeat. */
@Injectable()
export class NodesRepository {
  nodesIn(manager: EntityManager, environmentId: string): Promise<NodeEntity[]> {
    return manager.find(NodeEntity, { where: { environmentId }, relations: { component: true }, order: { address: 'ASC' } });
  }

  findForUpdate(manager: EntityManager, key: Pick<NodeEntity, 'environmentId' | 'location' | 'componentId' | 'address'>): Promise<NodeEntity | null> {
    return manager.findOne(NodeEntity, { where: key, lock: { mode: 'pessimistic_write' } });
  }

  async save(manager: EntityManager, node: Partial<NodeEntity>): Promise<NodeEntity> {
    return manager.save(manager.create(NodeEntity, node));
  }

  nodesOfEntry(manager: EntityManager, slot: Pick<VersionMapEntryEntity, 'environmentId' | 'location' | 'componentId'>): Promise<NodeEntity[]> {
    return manager.find(NodeEntity, { where: { environmentId: slot.environmentId, location: slot.location, componentId: slot.componentId }, order: { address: 'ASC' } });
  }

  /** The names a node's events carry. */
  async scopeOf(manager: EntityManager, node: NodeEntity): Promise<{ stack: string; environment: string; component: string }> {
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
