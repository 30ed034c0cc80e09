import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Logger } from '@strata/observability';
import { PeriodicTask } from '@strata/runtime';
import { ROUTING_CONTROL_TUNING, RoutingControlTuning } from '../config/routing-control-tuning';
import { RoutingPoliciesService } from './routing-policies.service';

/**
 * Republishes every current policy on a timer (see RoutingControlTuning.resyncMs), so no gateway
 * depends on a bus history that retention may have deleted; first removes mirrors past their `until`. Replicas may each do it: a duplicate
 * publish of the same version costs gateways one repeated ACK.
 */
@Injectable()
export class PolicyResync implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('policy-resync');
  private readonly task: PeriodicTask;

  constructor(
    policies: RoutingPoliciesService,
    @Inject(ROUTING_CONTROL_TUNING) private readonly tuning: RoutingControlTuning,
  ) {
    this.task = new PeriodicTask(
      async () => {
        const expired = await policies.expireMirrors(this.tuning.now());
        if (expired > 0) this.logger.info('removed expired mirrors', { count: expired });
        this.logger.debug('republished current routing policies', { count: await policies.republishCurrent() });
      },
      (error) => this.logger.warn('cannot republish routing policies; next period retries', { error: String(error) }),
    );
  }

  onApplicationBootstrap(): void {
    this.task.start(this.tuning.resyncMs);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** One republish pass; a pass still running is joined, never overlapped. */
  resync(): Promise<void> {
    return this.task.runNow();
  }
}
