import { Injectable } from '@nestjs/common';
import { AnomalyDetectedV1 } from '@strata/contracts';
import { RollbackTrigger, TriggerFigures, conditionHolds, severityReaches } from '@strata/domain';
import { EntityManager } from 'typeorm';
import { RolloutEntity } from '../entities/rollout.entity';
import { KpiWindowsRepository, SpanFigures } from '../repositories/kpi-windows.repository';
import { RoutingPoliciesService } from './routing-policies.service';

/**
 * Evaluates a rollout's rollback triggers (libs/domain/src/rollouts/rollback-triggers.ts): KPI
 * conditions over the latest KPI windows of the canary and the stable config, on every tick, and
 * anomaly triggers as anomalies arrive. `judge == Fail` needs nothing here: a failed analysis
 * always aborts.
 */
@Injectable()
export class RollbackTriggersService {
  constructor(
    private readonly kpiWindows: KpiWindowsRepository,
    private readonly policies: RoutingPoliciesService,
  ) {}

  /** The reason of the first KPI-condition trigger that holds now, or null. */
  async heldCondition(manager: EntityManager, rollout: RolloutEntity): Promise<string | null> {
    if (rollout.state.phase !== 'progressing' && rollout.state.phase !== 'paused') {
      return null;
    }
    const policy = await this.policies.requireCurrent(manager, rollout.stack, rollout.environment);
    const scope = { stack: rollout.stack, environment: rollout.environment };
    const stable = policy.config.stableConfig;
    for (const trigger of rollout.rollbackTriggers ?? []) {
      if (trigger.kind !== 'condition') {
        continue;
      }
      const watermark = await this.kpiWindows.watermark(manager, { ...scope, stackConfig: rollout.versionGroup });
      const windows = Math.max(1, Math.ceil(trigger.forMs / (watermark?.windowMs ?? 10_000)));
      const since = new Date(rollout.state.startedAt ?? rollout.createdAt.getTime());
      const recent = await this.kpiWindows.recentFigures(manager, scope, [rollout.versionGroup, stable], since, windows);
      const held = triggerHolds(trigger, recent, rollout.versionGroup, stable, windows);
      if (held) {
        return `rollback trigger "${trigger.when}"${trigger.forMs > 0 ? ` for ${trigger.forMs / 1000} s` : ''} held: ${held}`;
      }
    }
    return null;
  }
}

/** Why an anomaly aborts the rollout (its canary's, reaching an anomaly trigger's severity), or null. */
export function anomalyTriggerReason(rollout: RolloutEntity, anomaly: AnomalyDetectedV1): string | null {
  const trigger = (rollout.rollbackTriggers ?? []).find((candidate) => candidate.kind === 'anomaly' && severityReaches(anomaly.severity, candidate.minSeverity));
  if (!trigger || anomaly.series.stackConfig !== rollout.versionGroup) {
    return null;
  }
  return `rollback trigger "${trigger.when}" held: ${anomaly.severity} anomaly ${anomaly.anomalyId} on ${anomaly.series.metric} of the canary (observed ${anomaly.evidence.observed}, expected ${anomaly.evidence.expected ?? 'unknown'})`;
}

function triggerFiguresOf(figures: SpanFigures | undefined): TriggerFigures {
  if (!figures) {
    return { requests: 0, errorRate: null, latencyMeanMs: null, latencyP99Ms: null };
  }
  return { requests: figures.requests, errorRate: figures.requests === 0 ? null : figures.errors / figures.requests, latencyMeanMs: figures.latencyMeanMs, latencyP99Ms: figures.latencyP99Ms };
}

/**
 * Whether a condition trigger held over the latest `windows` KPI windows (each of them, as a
 * `for:` asks), with at least `minRequests` canary requests in them; a description of the figures
 * when it did, else null.
 */
function triggerHolds(
  trigger: Extract<RollbackTrigger, { kind: 'condition' }>,
  recent: readonly { windowStart: number; figures: Map<string, SpanFigures> }[],
  canary: string,
  stable: string,
  windows: number,
): string | null {
  if (recent.length < windows) {
    return null;
  }
  const spans = recent.slice(0, windows).map(({ windowStart, figures }) => ({ windowStart, canary: triggerFiguresOf(figures.get(canary)), stable: triggerFiguresOf(figures.get(stable)) }));
  const canaryRequests = spans.reduce((sum, span) => sum + span.canary.requests, 0);
  if (canaryRequests < trigger.minRequests || !spans.every((span) => conditionHolds(trigger.condition, span))) {
    return null;
  }
  const rate = (figures: TriggerFigures) => (figures.errorRate === null ? 'no requests' : `error rate ${(100 * figures.errorRate).toFixed(2)} % of ${figures.requests}`);
  return spans.map((span) => `window from ${new Date(span.windowStart).toISOString()}: canary ${rate(span.canary)}, stable ${rate(span.stable)}`).join('; ');
}
