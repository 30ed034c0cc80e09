import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Topics } from '@strata/contracts';
import { EventSubscriber } from '@strata/messaging';
import { RolloutsService } from '../services/rollouts.service';

/** Aborts a rollout whose `anomaly(severity >= …, scope = canary)` trigger an anomaly of its canary meets. */
@Injectable()
export class CanaryAnomaliesConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly subscriber: EventSubscriber,
    private readonly rollouts: RolloutsService,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.subscriber.subscribe('canary-anomalies', [Topics.anomalies], {
      'io.strata.anomaly.detected.v1': (event, manager) => this.rollouts.onAnomaly(manager, event.data),
    });
  }
}
