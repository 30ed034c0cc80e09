import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DeclaredRolloutEntity } from '../entities/declared-rollout.entity';

/** The only code touching declared rollouts. */
@Injectable()
export class RolloutsRepository {
  find(manager: EntityManager, stackId: string, name: string): Promise<DeclaredRolloutEntity | null> {
    return manager.findOne(DeclaredRolloutEntity, { where: { stackId, name } });
  }

  async save(manager: EntityManager, rollout: Omit<DeclaredRolloutEntity, 'id' | 'declaredAt'> & { id?: string }): Promise<void> {
    await manager.save(manager.create(DeclaredRolloutEntity, { ...rollout, declaredAt: new Date() }));
  }
}
