import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Topics } from '@strata/contracts';
import { EventSubscriber } from '@strata/messaging';
import { CatalogRepository } from '../repositories/catalog.repository';
import { ExecutionsService } from '../services/executions.service';
import { NotificationsService } from '../services/notifications.service';

/**
 * How rollouts start and end: what a canary deploy's traffic step waits for, a rollout starting for a
 * step that no longer waits for it (aborted), and an abort told to the notification channels that asked for it.
 */
@Injectable()
export class RolloutOutcomesConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly subscriber: EventSubscriber,
    private readonly notifications: NotificationsService,
    private readonly catalog: CatalogRepository,
    private readonly executions: ExecutionsService,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.subscriber.subscribe('rollback-rollout-outcomes', [Topics.routingEvents], {
      'io.strata.routing.rollout.transitioned.v1': async (event, manager) => {
        const { stack, environment, rollout, versionGroup, from, to, reason, canaryWeight } = event.data;
        if (from === null) await this.executions.abortOrphanedRollout(manager, stack, rollout);
        if (to === 'promoted' || to === 'aborted' || to === 'rolled-back') {
          await this.catalog.recordRolloutOutcome(manager, { stack, rollout, phase: to, reason });
        }
        if (to !== 'aborted') return;
        await this.notifications.enqueue(manager, {
          event: 'rollout-aborted',
          stack,
          environment,
          subject: { kind: 'rollout', id: rollout, versionGroup },
          summary: `rollout ${rollout} of ${versionGroup} aborted: ${reason}`,
          at: event.time ?? new Date().toISOString(),
          details: { rollout, versionGroup, reason, canaryWeight, actor: event.data.actor },
        });
      },
    });
  }
}
