import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Topics } from '@strata/contracts';
import { EventSubscriber } from '@strata/messaging';
import { RolloutsRepository } from '../repositories/rollouts.repository';

/**
 * Keeps each declared Rollout's outcome: routing-control's answer to its declaration (started,
 * or refused and why), then the phase its rollout moves through, so `POST /v1/apply` can report it.
 */
@Injectable()
export class RolloutOutcomesConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly subscriber: EventSubscriber,
    private readonly rollouts: RolloutsRepository,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.subscriber.subscribe('rollout-outcomes', [Topics.routingEvents], {
      'io.strata.routing.rollout.declaration-answered.v1': (event, manager) => this.rollouts.recordAnswer(manager, event.data, new Date(event.time ?? Date.now())),
      'io.strata.routing.rollout.transitioned.v1': (event, manager) => this.rollouts.recordPhase(manager, event.data.stack, event.data.rollout, event.data.to),
    });
  }
}
