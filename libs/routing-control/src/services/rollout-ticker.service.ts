import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Logger } from '@strata/observability';
import { ROUTING_CONTROL_TUNING, RoutingControlTuning } from './routing-control-tuning';
import { RolloutsService } from './rollouts.service';

/**
 * Advances every active rollout on a timer. State lives in PostgreSQL and each rollout is
 * advanced under a row lock, so a restarted process or a second replica carries on where it was.
 */
@Injectable()
export class RolloutTicker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('rollout-ticker');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly rollouts: RolloutsService,
    @Inject(ROUTING_CONTROL_TUNING) private readonly tuning: RoutingControlTuning,
  ) {}

  onApplicationBootstrap(): void {
    if (this.tuning.tickMs > 0) {
      this.timer = setInterval(() => void this.tickAll(), this.tuning.tickMs);
      this.timer.unref();
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass over the active rollouts; a pass still running is joined, never overlapped. */
  tickAll(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    let ids: string[];
    try {
      ids = await this.rollouts.activeIds();
    } catch (error) {
      this.logger.warn('cannot list active rollouts; next tick retries', { error: String(error) });
      return;
    }
    for (const id of ids) {
      try {
        await this.rollouts.tick(id);
      } catch (error) {
        // One rollout's failure (a policy that no longer validates) must not stall the others.
        this.logger.error('advancing a rollout failed', error, { rolloutId: id });
      }
    }
  }
}
