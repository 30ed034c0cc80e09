import { Injectable } from '@nestjs/common';
import { DomainError, EnvironmentDefinition, StackDefinition, assertValidStackDefinition } from '@strata/domain';
import { EventOutbox } from '@strata/messaging';
import { isUniqueViolation } from '@strata/persistence';
import { EntityManager } from 'typeorm';
import { StackEntity } from '../entities/stack.entity';
import { StacksRepository } from '../repositories/stacks.repository';
import { RegistryTransactions } from '../repositories/transactions';

function definitionOf(stack: StackEntity): StackDefinition {
  return {
    name: stack.name,
    environments: stack.environments.map((environment) => ({
      name: environment.name,
      ...(environment.mirrors ? { mirrors: environment.mirrors } : {}),
    })),
  };
}

@Injectable()
export class StacksService {
  constructor(
    private readonly stacks: StacksRepository,
    private readonly transactions: RegistryTransactions,
    private readonly events: EventOutbox,
  ) {}

  /** Creates the stack and records its event in one transaction. */
  async create(definition: StackDefinition, within?: EntityManager): Promise<StackEntity> {
    assertValidStackDefinition(definition);
    const event = this.events.create('io.strata.registry.stack.created.v1', definition.name, {
      stack: definition.name,
      environments: definition.environments,
    });
    try {
      return await this.transactions.run(async (manager) => {
        const saved = await this.stacks.insert(manager, definition);
        await this.events.record(manager, event);
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
  async addEnvironment(stackName: string, environment: EnvironmentDefinition, within?: EntityManager): Promise<StackEntity> {
    try {
      return await this.transactions.run(async (manager) => {
        if (!(await this.stacks.lockByName(manager, stackName))) {
          throw DomainError.notFound('stack', stackName);
        }
        const current = (await this.stacks.findByName(manager, stackName)) as StackEntity;
        const next = definitionOf(current);
        if (next.environments.some((existing) => existing.name === environment.name)) {
          throw DomainError.alreadyExists('environment', `${stackName}/${environment.name}`);
        }
        next.environments.push(environment);
        assertValidStackDefinition(next);
        await this.stacks.insertEnvironment(manager, current.id, environment);
        await this.events.record(manager, this.events.create('io.strata.registry.environment.added.v1', stackName, { stack: stackName, environment }));
        return (await this.stacks.findByName(manager, stackName)) as StackEntity;
      }, within);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw DomainError.alreadyExists('environment', stackName);
      }
      throw error;
    }
  }

  async get(name: string, within?: EntityManager): Promise<StackEntity> {
    const stack = await this.stacks.findByName(within ?? this.transactions.reader, name);
    if (!stack) {
      throw DomainError.notFound('stack', name);
    }
    return stack;
  }

  page(limit: number, after: string | undefined): Promise<{ items: StackEntity[]; nextCursor: string | null }> {
    return this.stacks.page(this.transactions.reader, limit, after);
  }
}
