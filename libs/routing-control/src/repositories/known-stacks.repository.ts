import { Injectable } from '@nestjs/common';
import { DomainError } from '@strata/domain';
import { EntityManager } from 'typeorm';
import { KnownEnvironment, KnownStackEntity } from '../entities/known-stack.entity';

/** The only code touching routing-control's stack catalog; writes join the consumer's transaction. */
@Injectable()
export class KnownStacksRepository {
  async recordStackCreated(manager: EntityManager, name: string, environments: KnownEnvironment[]): Promise<void> {
    const known = await manager.findOne(KnownStackEntity, { where: { name }, lock: { mode: 'pessimistic_write' } });
    if (known) {
      known.environments = environments;
      known.appliedEvents += 1;
      await manager.save(known);
      return;
    }
    await manager.insert(KnownStackEntity, { name, environments, appliedEvents: 1 });
  }

  async recordEnvironmentAdded(manager: EntityManager, stack: string, environment: KnownEnvironment): Promise<void> {
    const known = await manager.findOne(KnownStackEntity, { where: { name: stack }, lock: { mode: 'pessimistic_write' } });
    if (!known) {
      throw DomainError.notFound('stack', stack);
    }
    known.environments = [...known.environments.filter((existing) => existing.name !== environment.name), environment];
    known.appliedEvents += 1;
    await manager.save(known);
  }

  findAll(manager: EntityManager): Promise<KnownStackEntity[]> {
    return manager.find(KnownStackEntity, { order: { name: 'ASC' } });
  }

  find(manager: EntityManager, name: string): Promise<KnownStackEntity | null> {
    return manager.findOne(KnownStackEntity, { where: { name } });
  }
}
