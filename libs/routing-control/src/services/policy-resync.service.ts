import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Logger } from '@strata/observability';
import { ROUTING_CONTROL_TUNING, RoutingControlTuning } from './routing-control-tuning';
import { RoutingPoliciesService } from './routing-policies.service';

/**
 * Republishes every current policy on a timer (see RoutingControlTuning.resyncMs), so no gateway
 * depends on a bus history that retention may have deleted. Replicas may each do it: a duplicate
 * publish of the same version costs gateways one repeated ACK.
 */
@Injectable()
export class PolicyResync implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('policy-resync');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly policies: RoutingPoliciesService,
    @Inject(ROUTING_CONTROL_TUNING) private readonly tuning: RoutingControlTuning,
  ) {}

  onApplicationBootstrap(): void {
    if (this.tuning.resyncMs > 0) {
      this.timer = setInterval(() => void this.resync(), this.tuning.resyncMs);
      this.timer.unref();
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One republish pass; a pass still running is joined, never overlapped. */
  resync(): Promise<void> {
    this.running ??= this.policies
      .republishCurrent()
      .then(
        (count) => this.logger.debug('republished current routing policies', { count }),
        (error: unknown) => this.logger.warn('cannot republish routing policies; next period retries', { error: String(error) }),
      )
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }
}
