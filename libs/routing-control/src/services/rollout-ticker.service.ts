import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Logger } from '@strata/observability';
import { PeriodicTask } from '@strata/runtime';
import { ROUTING_CONTROL_TUNING, RoutingControlTuning } from '../config/routing-control-tuning';
import { RolloutsService } from './rollouts.service';

/**
 * Advances every active rollout on a timer. State lives in PostgreSQL and each rollout is
 * advanced under a row lock, so a restarted process or a second replica carries on where it was.
 */
@Injectable()
export class RolloutTicker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('rollout-ticker');
  private readonly task: PeriodicTask;

  constructor(
    private readonly rollouts: RolloutsService,
    @Inject(ROUTING_CONTROL_TUNING) private readonly tuning: RoutingControlTuning,
  ) {
    this.task = new PeriodicTask(
      () => this.pass(),
      (error) => this.logger.warn('cannot list active rollouts; next tick retries', { error: String(error) }),
    );
  }

  onApplicationBootstrap(): void {
    this.task.start(this.tuning.tickMs);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** One pass over the active rollouts; a pass still running is joined, never overlapped. */
  tickAll(): Promise<void> {
    return this.task.runNow();
  }

  private async pass(): Promise<void> {
    for (const id of await this.rollouts.activeIds()) {
      try {
        await this.rollouts.tick(id);
      } catch (error) {
        // One rollout's failure (a policy that no longer validates) must not stall the others.
        this.logger.error('advancing a rollout failed', error, { rolloutId: id });
      }
    }
  }
}
