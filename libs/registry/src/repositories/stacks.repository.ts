import { Injectable } from '@nestjs/common';
import { EnvironmentDefinition, StackDefinition } from '@strata/domain';
import { EntityManager, MoreThan } from 'typeorm';
import { EnvironmentEntity } from '../entities/environment.entity';
import { StackEntity } from '../entities/stack.entity';

/** The only code that reads or writes registry stacks and their environments. */
@Injectable()
export class StacksRepository {
  findByName(manager: EntityManager, name: string): Promise<StackEntity | null> {
    return manager.findOne(StackEntity, { where: { name }, relations: { environments: true } });
  }

  /** The stack's row, locked until the transaction ends, so concurrent changes to it are checked in turn. */
  lockByName(manager: EntityManager, name: string): Promise<StackEntity | null> {
    return manager.findOne(StackEntity, { where: { name }, lock: { mode: 'pessimistic_write' } });
  }

  async insert(manager: EntityManager, definition: StackDefinition): Promise<StackEntity> {
    const stack = manager.create(StackEntity, {
      name: definition.name,
      environments: definition.environments.map((environment) => manager.create(EnvironmentEntity, { name: environment.name, mirrors: environment.mirrors ?? null })),
    });
    return manager.save(stack);
  }

  async insertEnvironment(manager: EntityManager, stackId: string, environment: EnvironmentDefinition): Promise<void> {
    await manager.insert(EnvironmentEntity, { stackId, name: environment.name, mirrors: environment.mirrors ?? null });
  }

  findEnvironment(manager: EntityManager, stackId: string, name: string): Promise<EnvironmentEntity | null> {
    return manager.findOne(EnvironmentEntity, { where: { stackId, name } });
  }

  /** Keyset pagination by name: stable under concurrent inserts, no OFFSET scans. */
  async page(manager: EntityManager, limit: number, after: string | undefined): Promise<{ items: StackEntity[]; nextCursor: string | null }> {
    const items = await manager.find(StackEntity, {
      where: after === undefined ? {} : { name: MoreThan(after) },
      relations: { environments: true },
      order: { name: 'ASC' },
      take: limit + 1,
    });
    const hasMore = items.length > limit;
    const pageItems = hasMore ? items.slice(0, limit) : items;
    return { items: pageItems, nextCursor: hasMore ? (pageItems[pageItems.length - 1]?.name ?? null) : null };
  }
}
