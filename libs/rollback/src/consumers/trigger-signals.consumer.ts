import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Topics } from '@strata/contracts';
import { EventSubscriber } from '@strata/messaging';
import { TriggersRepository } from '../repositories/triggers.repository';
import { RollbackTriggersService } from '../services/rollback-triggers.service';
import { TriggerWatcher } from '../services/trigger-watcher.service';

/** The gateway flushes a trigger's KPI conditions read: many per second, applied a batch per transaction. */
const FLUSHES_PER_TRANSACTION = 200;
/** How routing-control says an analysis failed (rollout-state-machine's abort reason). */
const JUDGE_FAIL = /^analysis of step \d+ failed/;

/**
 * What rollback triggers watch: the gateways' flushes (KPI conditions), the rollouts (what a
 * canary is, the triggers a Rollout declares, a failed analysis), gateways without an available
 * node for a group and NACKs, and the detector's anomalies.
 */
@Injectable()
export class TriggerSignalsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly subscriber: EventSubscriber,
    private readonly watcher: TriggerWatcher,
    private readonly triggers: TriggersRepository,
    private readonly declared: RollbackTriggersService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.subscriber.subscribeBatch('rollback-gateway-signals', [Topics.kpiSamples], {
      type: 'io.strata.kpi.samples.v1',
      maxEvents: FLUSHES_PER_TRANSACTION,
      handle: (events, manager) => this.watcher.onFlushes(manager, events.map((event) => event.data)),
    });
    await this.subscriber.subscribe('rollback-trigger-signals', [Topics.routingEvents, Topics.anomalies], {
      'io.strata.routing.rollout.transitioned.v1': async (event, manager) => {
        const { stack, environment, rollout, versionGroup, from, to, canaryWeight, reason, actor, rollbackTriggers } = event.data;
        const at = new Date(event.time ?? Date.now());
        await this.triggers.watchRollout(manager, { stack, environment, rollout, versionGroup, phase: to, canaryWeight, startedAt: at }, from === null);
        if (from === null && rollbackTriggers) await this.declared.registerRolloutTriggers(manager, { stack, environment, name: rollout, actor }, rollbackTriggers);
        this.watcher.invalidate();
        if (to !== 'aborted' || !JUDGE_FAIL.test(reason)) return;
        const watched = await this.triggers.watchedRollout(manager, stack, rollout);
        if (watched) await this.watcher.onJudgeFail(manager, watched, reason);
      },
      'io.strata.routing.config.rejected.v1': async (event, manager) => {
        const { stack, environment, gatewayId, version, reason } = event.data;
        await this.watcher.onNack(manager, { stack, environment }, `gateway ${gatewayId} refused routing config version ${version}: ${reason}`);
      },
      'io.strata.routing.gateway.fallback.changed.v1': async (event, manager) => {
        const { stack, environment, unavailableConfigs, reason } = event.data;
        if (unavailableConfigs.length > 0) await this.watcher.onUnavailable(manager, { stack, environment }, unavailableConfigs, reason);
      },
      'io.strata.anomaly.detected.v1': (event, manager) => this.watcher.onAnomaly(manager, event.data),
    });
  }
}
