import { Injectable } from '@nestjs/common';
import { DomainError, EnvironmentDefinition, StackDefinition, assertValidStackDefinition } from '@strata/domain';
import { EventOutbox } from '@strata/messaging';
import { StacksRepository } from '../repositories/stacks.repository';
import { StackEntity } from '../entities/stack.entity';
import { EntityManager } from 'typeorm';

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
    private readonly events: EventOutbox,
  ) {}

  async create(definition: StackDefinition, within?: EntityManager): Promise<StackEntity> {
    assertValidStackDefinition(definition);
    const event = this.events.create('io.strata.registry.stack.created.v1', definition.name, {
      stack: definition.name,
      environments: definition.environments,
    });
    return this.stacks.create(definition, event, within);
  }

  async addEnvironment(stackName: string, environment: EnvironmentDefinition, within?: EntityManager): Promise<StackEntity> {
    return this.stacks.addEnvironment(stackName, (current) => {
      const next = definitionOf(current);
      if (next.environments.some((existing) => existing.name === environment.name)) {
        throw DomainError.alreadyExists('environment', `${stackName}/${environment.name}`);
      }
      next.environments.push(environment);
      assertValidStackDefinition(next);
      const event = this.events.create('io.strata.registry.environment.added.v1', stackName, { stack: stackName, environment });
      return { environment, event };
    }, within);
  }

  async get(name: string, within?: EntityManager): Promise<StackEntity> {
    const stack = await this.stacks.findByName(name, within);
    if (!stack) {
      throw DomainError.notFound('stack', name);
    }
    return stack;
  }

  page(limit: number, after: string | undefined): Promise<{ items: StackEntity[]; nextCursor: string | null }> {
    return this.stacks.page(limit, after);
  }
}
