import { Inject, Injectable } from '@nestjs/common';
import { StrataEvent } from '@strata/contracts';
import { DomainError, EnvironmentDefinition, StackDefinition } from '@strata/domain';
import { EventOutbox } from '@strata/messaging';
import { dataSourceToken, isUniqueViolation } from '@strata/persistence';
import { DataSource, EntityManager, MoreThan } from 'typeorm';
import { REGISTRY_SERVICE } from '../database/registry-schema';
import { RegistryTransactions } from './transactions';
import { EnvironmentEntity } from '../entities/environment.entity';
import { StackEntity } from '../entities/stack.entity';


/** The only code that reads or writes registry stacks and environments. */
@Injectable()
export class StacksRepository {
  constructor(
    @Inject(dataSourceToken(REGISTRY_SERVICE)) private readonly dataSource: DataSource,
    private readonly outbox: EventOutbox,
    private readonly transactions: RegistryTransactions,
  ) {}

  /** Creates the stack and records its event in one transaction. */
  async create(definition: StackDefinition, event: StrataEvent, within?: EntityManager): Promise<StackEntity> {
    try {
      return await this.transactions.run(async (manager) => {
        const stack = manager.create(StackEntity, {
          name: definition.name,
          environments: definition.environments.map((environment) =>
            manager.create(EnvironmentEntity, { name: environment.name, mirrors: environment.mirrors ?? null }),
          ),
        });
        const saved = await manager.save(stack);
        await this.outbox.record(manager, event);
        return saved;
      }, within);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw DomainError.alreadyExists('stack', definition.name);
      }
      throw error;
    }
  }

  /** Adds an environment under a row lock on the stack, so concurrent additions are checked in turn. */
  async addEnvironment(
    stackName: string,
    decide: (current: StackEntity) => { environment: EnvironmentDefinition; event: StrataEvent },
    within?: EntityManager,
  ): Promise<StackEntity> {
    try {
      return await this.transactions.run(async (manager) => {
        const locked = await manager.findOne(StackEntity, { where: { name: stackName }, lock: { mode: 'pessimistic_write' } });
        if (!locked) {
          throw DomainError.notFound('stack', stackName);
        }
        const current = await this.load(manager, stackName);
        const { environment, event } = decide(current);
        await manager.insert(EnvironmentEntity, { stackId: current.id, name: environment.name, mirrors: environment.mirrors ?? null });
        await this.outbox.record(manager, event);
        return this.load(manager, stackName);
      }, within);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw DomainError.alreadyExists('environment', stackName);
      }
      throw error;
    }
  }

  async findByName(name: string, within?: EntityManager): Promise<StackEntity | null> {
    return (within ?? this.dataSource.manager).findOne(StackEntity, { where: { name }, relations: { environments: true } });
  }

  /** Keyset pagination by name: stable under concurrent inserts, no OFFSET scans. */
  async page(limit: number, after: string | undefined): Promise<{ items: StackEntity[]; nextCursor: string | null }> {
    const items = await this.dataSource.manager.find(StackEntity, {
      where: after === undefined ? {} : { name: MoreThan(after) },
      relations: { environments: true },
      order: { name: 'ASC' },
      take: limit + 1,
    });
    const hasMore = items.length > limit;
    const pageItems = hasMore ? items.slice(0, limit) : items;
    return { items: pageItems, nextCursor: hasMore ? (pageItems[pageItems.length - 1]?.name ?? null) : null };
  }

  private async load(manager: EntityManager, name: string): Promise<StackEntity> {
    return manager.findOneOrFail(StackEntity, { where: { name }, relations: { environments: true } });
  }
}
