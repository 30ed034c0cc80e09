import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Topics } from '@strata/contracts';
import { EventSubscriber } from '@strata/messaging';
import { RolloutsService } from '../services/rollouts.service';

/** Aborts the rollouts the rollback service asks to abort: it watches their rollback triggers. */
@Injectable()
export class RolloutAbortsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly subscriber: EventSubscriber,
    private readonly rollouts: RolloutsService,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.subscriber.subscribe('rollout-aborts', [Topics.rollbackEvents], {
      'io.strata.rollback.rollout.abort-requested.v1': (event, manager) => this.rollouts.abortRequested(manager, event.data),
    });
  }
}
