import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Topics } from '@strata/contracts';
import { EventSubscriber } from '@strata/messaging';
import { ExecutionVersionMapService } from '../services/execution-version-map.service';

/** The rollback service's executions move the version map. */
@Injectable()
export class ExecutionsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly subscriber: EventSubscriber,
    private readonly versionMap: ExecutionVersionMapService,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.subscriber.subscribe('registry-executions', [Topics.rollbackEvents], {
      'io.strata.rollback.execution.changed.v1': (event, manager) => this.versionMap.follow(manager, event.data),
    });
  }
}
