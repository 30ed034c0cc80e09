import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Topics } from '@strata/contracts';
import { EventSubscriber } from '@strata/messaging';
import { KnownStacksRepository } from '../repositories/known-stacks.repository';

/** Keeps routing-control's catalog of stacks and environments in step with the registry. */
@Injectable()
export class StackCatalogConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly subscriber: EventSubscriber,
    private readonly knownStacks: KnownStacksRepository,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.subscriber.subscribe('stack-catalog', [Topics.registryEvents], {
      'io.strata.registry.stack.created.v1': (event, manager) =>
        this.knownStacks.recordStackCreated(manager, event.data.stack, event.data.environments),
      'io.strata.registry.environment.added.v1': (event, manager) =>
        this.knownStacks.recordEnvironmentAdded(manager, event.data.stack, event.data.environment),
    });
  }
}
