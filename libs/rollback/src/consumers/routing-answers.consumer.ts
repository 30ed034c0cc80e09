import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Topics } from '@strata/contracts';
import { EventSubscriber } from '@strata/messaging';
import { CatalogRepository } from '../repositories/catalog.repository';

/** routing-control's answers to the routing requests of steps: what a routing step waits for. */
@Injectable()
export class RoutingAnswersConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly subscriber: EventSubscriber,
    private readonly catalog: CatalogRepository,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.subscriber.subscribe('rollback-routing-answers', [Topics.routingEvents], {
      'io.strata.routing.layers.converged.v1': (event, manager) =>
        this.catalog.recordAnswer(manager, { requestId: event.data.requestId, version: event.data.version, outcome: event.data.outcome, gateways: event.data.gateways, reason: event.data.reason }),
    });
  }
}
