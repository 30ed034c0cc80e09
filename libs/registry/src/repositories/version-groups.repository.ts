import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { VersionGroupEntity } from '../entities/version-group.entity';

const WITH_MEMBERS = { members: { component: true }, stack: true } as const;

/** The only code reading or writing version groups and their members. */
@Injectable()
export class VersionGroupsRepository {
  find(manager: EntityManager, stackId: string, name: string): Promise<VersionGroupEntity | null> {
    return manager.findOne(VersionGroupEntity, { where: { stackId, name }, relations: WITH_MEMBERS });
  }

  groupsOf(manager: EntityManager, stackId: string): Promise<VersionGroupEntity[]> {
    return manager.find(VersionGroupEntity, { where: { stackId }, relations: WITH_MEMBERS, order: { createdAt: 'DESC' } });
  }

  async insert(manager: EntityManager, group: Pick<VersionGroupEntity, 'stackId' | 'name' | 'environment' | 'members' | 'createdBy'>): Promise<VersionGroupEntity> {
    const saved = await manager.save(manager.create(VersionGroupEntity, group));
    return manager.findOneOrFail(VersionGroupEntity, { where: { id: saved.id }, relations: WITH_MEMBERS });
  }
}
