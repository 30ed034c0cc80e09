import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Topics } from '@strata/contracts';
import { EventSubscriber } from '@strata/messaging';
import { ExecutionRollouts } from '../services/execution-rollouts.service';
import { RoutingLayersService } from '../services/routing-layers.service';

/** Routing and canary-rollout requests of the rollback service's execution steps. */
@Injectable()
export class RoutingLayersConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly subscriber: EventSubscriber,
    private readonly layers: RoutingLayersService,
    private readonly rollouts: ExecutionRollouts,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.subscriber.subscribe('routing-layers', [Topics.rollbackEvents], {
      'io.strata.rollback.routing.requested.v1': (event, manager) => this.layers.request(manager, event.data),
      'io.strata.rollback.rollout.requested.v1': (event, manager) => this.rollouts.startRollout(manager, event.data),
    });
  }
}
