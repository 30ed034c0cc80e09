import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Topics } from '@strata/contracts';
import { EventSubscriber } from '@strata/messaging';
import { VersionMapService } from '../services/version-map.service';

/**
 * Retires deployed groups when a rollout of routing-control ends: a promoted canary replaces the
 * groups deployed before it, a rolled-back canary is gone. Until then both keep running, and the
 * nodes of each are expected where they run.
 */
@Injectable()
export class DeployedGroupsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly subscriber: EventSubscriber,
    private readonly versionMap: VersionMapService,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.subscriber.subscribe('deployed-groups', [Topics.routingEvents], {
      'io.strata.routing.rollout.transitioned.v1': async (event, manager) => {
        const { stack, environment, rollout, versionGroup, to } = event.data;
        if (to === 'promoted' || to === 'rolled-back') {
          await this.versionMap.retireAfterRollout({ stack, environment, rollout, versionGroup, phase: to }, manager);
        }
      },
    });
  }
}
