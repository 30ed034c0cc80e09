import { Injectable } from '@nestjs/common';
import { AnomalyDetectedV1, KpiSamplesV1 } from '@strata/contracts';
import { GatewaySignals, IDLE_TRIGGER, RollbackTriggerSpec, TriggerFigures, TriggerTracking, TriggerWatch, conditionHoldsConfidently, decideTrigger, inTriggerScope, severityReaches } from '@strata/domain';
import { Logger } from '@strata/observability';
import { EntityManager } from 'typeorm';
import { RollbackTriggerEntity, WatchedRolloutEntity } from '../entities/trigger.entity';
import { CatalogRepository } from '../repositories/catalog.repository';
import { TriggersRepository } from '../repositories/triggers.repository';
import { TriggerFirer, TriggerSubject } from './trigger-firer';
import { TriggerSpecs } from './trigger-specs';

/** The gateway's metrics (`kpi.samples`, one flush per node and second) KPI conditions read. */
const SIGNAL_METRICS: Record<string, 'requests' | 'errors' | 'latency'> = {
  gateway_requests_total: 'requests',
  gateway_errors_5xx_total: 'errors',
  gateway_errors_connect_total: 'errors',
  gateway_request_duration_ms: 'latency',
};
/** How long the live rollouts and KPI triggers read for one evaluation serve the next ones (a change made here clears them at once). */
const ARMED_TTL_MS = 250;
/** Only rollouts that route traffic to their canary are judged on it. */
const JUDGED_PHASES = ['progressing', 'paused'];

type Armed = { trigger: RollbackTriggerEntity; spec: RollbackTriggerSpec };

/**
 * Decides when rollback triggers hold. KPI conditions on the gateway's own flushes (seconds old,
 * not 10 s windows), the other conditions as their event arrives: anomalies, a failed analysis,
 * a gateway without an available node for a group, a gateway's NACK. The subject of a firing is the
 * live rollout of the group when there is one (its canary is what misbehaves), else the group
 * deployed. Debounce (`for`) is tracked here, in memory; the cool-down and the one firing per
 * subject are kept in the database, so a restart does not fire twice.
 *
 * The flushes are kept in memory: with several replicas, `kpi.samples` partitions (keyed by series)
 * are split between them, so run the trigger watch in one replica (see the README).
 */
@Injectable()
export class TriggerWatcher {
  readonly signals = new GatewaySignals();
  private readonly tracking = new Map<string, TriggerTracking>();
  private kpiArmed: { readAt: number; rollouts: WatchedRolloutEntity[]; armed: Armed[] } | null = null;
  private readonly acted = new Map<string, { at: number | null; readAt: number }>();
  /** The cool-down each key was last logged as held by (its end): logged once per cool-down, not once per flush. */
  private readonly coolingLogged = new Map<string, number>();
  private readonly logger = new Logger('trigger-watcher').child({ service: 'rollback' });

  constructor(
    private readonly triggers: TriggersRepository,
    private readonly specs: TriggerSpecs,
    private readonly catalog: CatalogRepository,
    private readonly firer: TriggerFirer,
  ) {}

  /** Takes gateway flushes in and evaluates the KPI conditions on them at once. */
  async onFlushes(manager: EntityManager, flushes: readonly KpiSamplesV1[], now = Date.now()): Promise<void> {
    for (const { series, samples, histograms } of flushes) {
      const metric = SIGNAL_METRICS[series.metric];
      if (!metric || !series.stackConfig) continue;
      const source = { stack: series.stack, environment: series.environment, component: series.component, stackConfig: series.stackConfig };
      if (metric === 'latency') {
        for (const histogram of histograms ?? []) this.signals.add(source, { metric, at: histogram.timestamp, bounds: histogram.bounds, counts: histogram.counts, sum: histogram.sum, count: histogram.count });
      } else {
        for (const sample of samples) this.signals.add(source, { metric, at: sample.timestamp, value: sample.value });
      }
    }
    await this.evaluateKpi(manager, now);
  }

  /** A rollout or a trigger changed: the next evaluation reads them again. */
  invalidate(): void {
    this.kpiArmed = null;
  }

  /** Every KPI trigger over every live rollout in its scope, on the flushes held now. */
  async evaluateKpi(manager: EntityManager, now = Date.now()): Promise<void> {
    if (this.kpiArmed === null || now - this.kpiArmed.readAt > ARMED_TTL_MS) {
      const live = (await this.triggers.liveRollouts(manager)).filter((rollout) => JUDGED_PHASES.includes(rollout.phase));
      this.kpiArmed = { readAt: now, rollouts: live, armed: await this.armed(manager, live, 'kpi') };
    }
    const { rollouts, armed } = this.kpiArmed;
    for (const rollout of rollouts) {
      for (const { trigger, spec } of armed.filter((entry) => entry.trigger.stack === rollout.stack && entry.trigger.environment === rollout.environment)) {
        if (spec.watch.kind !== 'kpi') continue;
        for (const component of this.signals.componentsServing(rollout.stack, rollout.environment, rollout.versionGroup)) {
          if (!inTriggerScope(spec.scope, { rollout: rollout.rollout, versionGroup: rollout.versionGroup, component })) continue;
          const where = { stack: rollout.stack, environment: rollout.environment, component };
          const canary = this.signals.figures(where, (config) => config === rollout.versionGroup, spec.windowMs);
          const stable = this.signals.figures(where, (config) => config !== rollout.versionGroup, spec.windowMs);
          const holds = canary.point.requests >= spec.minRequests && conditionHoldsConfidently(spec.watch.condition, { canary, stable });
          const subject = rolloutSubject(rollout, component);
          const evidence = () => `over the last ${spec.windowMs / 1000} s of gateway flushes of ${component}: canary ${describe(canary.point)}; stable ${describe(stable.point)}`;
          const at = this.signals.now(rollout.stack, rollout.environment) ?? now;
          await this.decide(manager, trigger, spec, subject, `${trigger.id}/${subject.key}/${component}`, holds, evidence, { at, now });
        }
      }
    }
  }

  async onAnomaly(manager: EntityManager, anomaly: AnomalyDetectedV1): Promise<void> {
    const { stack, environment, component, stackConfig } = anomaly.series;
    if (!stackConfig) return;
    const evidence = `${anomaly.severity} anomaly ${anomaly.anomalyId} on ${anomaly.series.metric} of ${component} under ${stackConfig} (observed ${anomaly.evidence.observed}, expected ${anomaly.evidence.expected ?? 'unknown'}, score ${anomaly.score.toFixed(3)})`;
    await this.onEvent(manager, { stack, environment }, 'anomaly', evidence, (watch) => {
      if (watch.kind !== 'anomaly' || !severityReaches(anomaly.severity, watch.minSeverity)) return [];
      return watch.of === 'canary' ? [{ group: stackConfig, as: 'rollout' }] : [{ group: stackConfig, as: 'any' }];
    }, component);
  }

  /** A gateway serves an environment without an available node for these configs. */
  async onUnavailable(manager: EntityManager, where: { stack: string; environment: string }, configs: readonly string[], reason: string): Promise<void> {
    await this.onEvent(manager, where, 'health', `a gateway has no available node (all failing health checks or ejected) for ${configs.join(', ')}: ${reason}`, () => configs.map((group) => ({ group, as: 'any' as const })));
  }

  /** A NACK is about the environment: its live rollouts' groups, or (none live) the group serving. */
  async onNack(manager: EntityManager, where: { stack: string; environment: string }, evidence: string): Promise<void> {
    await this.onEvent(manager, where, 'nack', evidence, (_watch, live, serving) => (live.length > 0 ? live.map((rollout) => rollout.versionGroup) : serving ? [serving] : []).map((group) => ({ group, as: 'any' as const })));
  }

  /** A failed analysis aborted this rollout. */
  async onJudgeFail(manager: EntityManager, rollout: WatchedRolloutEntity, reason: string): Promise<void> {
    const armed = await this.armed(manager, [rollout], 'judge');
    for (const { trigger, spec } of armed) {
      if (!inTriggerScope(spec.scope, { rollout: rollout.rollout, versionGroup: rollout.versionGroup })) continue;
      const subject = rolloutSubject(rollout, null);
      await this.decide(manager, trigger, spec, subject, `${trigger.id}/${subject.key}`, true, () => reason, { at: Date.now(), now: Date.now() });
    }
  }

  /**
   * An event-borne condition: each armed trigger of `kind` names the groups it sees misbehaving;
   * a live rollout of the group is the subject, else (unless only a canary counts) the group serving.
   */
  private async onEvent(
    manager: EntityManager,
    where: { stack: string; environment: string },
    kind: TriggerWatch['kind'],
    evidence: string,
    groupsOf: (watch: TriggerWatch, live: readonly WatchedRolloutEntity[], serving: string | null) => { group: string; as: 'rollout' | 'any' }[],
    component: string | null = null,
  ): Promise<void> {
    const armed = await this.armed(manager, [where], kind);
    if (armed.length === 0) return;
    const live = await this.triggers.liveRollouts(manager, where);
    const serving = await this.serving(manager, where);
    const now = Date.now();
    for (const { trigger, spec } of armed) {
      for (const { group, as } of groupsOf(spec.watch, live, serving)) {
        const rollout = live.find((candidate) => candidate.versionGroup === group);
        const subject = rollout ? rolloutSubject(rollout, component) : as === 'any' && group === serving ? groupSubject(group, component, spec, now) : null;
        if (!subject || !inTriggerScope(spec.scope, subject)) continue;
        await this.decide(manager, trigger, spec, subject, `${trigger.id}/${subject.key}`, true, () => evidence, { at: now, now });
      }
    }
  }

  /**
   * `at`: the signal's time (`for` is measured in it); `now`: this service's (firings and
   * cool-downs). The cool-down counts from the trigger's own last firing and, unless it is a dry
   * run, from the last time any trigger of the environment acted: two triggers seeing one flapping
   * canary roll it back once, not once each. An abort of a canary is held only by what acted on
   * that same rollout: it only sends the canary's traffic back to stable, so it cannot loop, and an
   * earlier rollout's abort must not leave a new faulty canary unguarded for the cool-down.
   */
  private async decide(manager: EntityManager, trigger: RollbackTriggerEntity, spec: RollbackTriggerSpec, subject: TriggerSubject, key: string, holds: boolean, evidence: () => string, { at, now }: { at: number; now: number }): Promise<void> {
    const abortOnly = spec.action === 'abort' && subject.rollout !== null;
    const acted = !holds || spec.dryRun ? null : abortOnly ? await this.lastActedOnRollout(manager, trigger, subject.rollout as string) : await this.lastActed(manager, trigger);
    const ownLast = abortOnly ? null : trigger.lastFiredAt;
    const lastFiredAt = Math.max(ownLast?.getTime() ?? -Infinity, acted ?? -Infinity);
    const decision = decideTrigger({ holds, at, now, forMs: spec.watch.kind === 'kpi' ? spec.forMs : 0, coolDownMs: spec.coolDownMs, lastFiredAt: Number.isFinite(lastFiredAt) ? lastFiredAt : null }, this.tracking.get(key) ?? IDLE_TRIGGER);
    if (decision.outcome === 'idle') this.tracking.delete(key);
    else this.tracking.set(key, decision.tracking);
    if (decision.outcome === 'cooling-down') {
      this.logCooling(trigger, spec, subject, key, lastFiredAt);
      return;
    }
    if (decision.outcome !== 'fire') return;
    if (!(await this.firer.fire(manager, trigger, spec, subject, evidence(), new Date(now)))) return;
    trigger.lastFiredAt = new Date(now);
    if (!spec.dryRun) this.acted.set(`${trigger.stack}/${trigger.environment}`, { at: now, readAt: now });
  }

  /**
   * A trigger whose condition holds but that the cool-down keeps from acting leaves no firing (a
   * firing is one per subject, and this one may still act later), so it says so in the log, once.
   */
  private logCooling(trigger: RollbackTriggerEntity, spec: RollbackTriggerSpec, subject: TriggerSubject, key: string, lastActedAt: number): void {
    const until = lastActedAt + spec.coolDownMs;
    if (this.coolingLogged.get(key) === until) return;
    if (this.coolingLogged.size >= 10_000) {
      for (const [logged, end] of this.coolingLogged) if (end < Date.now()) this.coolingLogged.delete(logged);
    }
    this.coolingLogged.set(key, until);
    this.logger.warn('a rollback trigger holds but is cooling down: it does not act', {
      stack: trigger.stack,
      environment: trigger.environment,
      trigger: trigger.name,
      rollout: subject.rollout,
      versionGroup: subject.versionGroup,
      lastActedAt: new Date(lastActedAt).toISOString(),
      coolDownUntil: new Date(until).toISOString(),
      why: spec.action === 'abort' && subject.rollout !== null ? 'a trigger already acted on this rollout less than its coolDown ago' : 'the trigger, or another trigger of the environment, acted less than its coolDown ago',
    });
  }

  /** The environment's last action, read at most every ARMED_TTL_MS (another replica's shows up within that). */
  /** The last time a trigger of the environment acted on this rollout (a firing is one per trigger and subject: another trigger's). */
  private async lastActedOnRollout(manager: EntityManager, trigger: RollbackTriggerEntity, rollout: string): Promise<number | null> {
    return (await this.triggers.lastActed(manager, trigger.stack, trigger.environment, rollout))?.getTime() ?? null;
  }

  private async lastActed(manager: EntityManager, trigger: RollbackTriggerEntity): Promise<number | null> {
    const key = `${trigger.stack}/${trigger.environment}`;
    const held = this.acted.get(key);
    const now = Date.now();
    if (held && now - held.readAt <= ARMED_TTL_MS) return held.at;
    const at = (await this.triggers.lastActed(manager, trigger.stack, trigger.environment))?.getTime() ?? null;
    this.acted.set(key, { at, readAt: now });
    return at;
  }

  private async armed(manager: EntityManager, where: readonly { stack: string; environment: string }[], kind: TriggerWatch['kind']): Promise<Armed[]> {
    const triggers = await this.triggers.ofEnvironments(manager, uniqueEnvironments(where));
    return triggers.map((trigger) => ({ trigger, spec: this.specs.of(trigger) })).filter((entry): entry is Armed => entry.spec !== null && entry.spec.watch.kind === kind);
  }

  private async serving(manager: EntityManager, where: { stack: string; environment: string }): Promise<string | null> {
    return (await this.catalog.history(manager, where.stack, where.environment, 1))[0] ?? null;
  }
}

function rolloutSubject(rollout: WatchedRolloutEntity, component: string | null): TriggerSubject {
  return { key: `rollout:${rollout.rollout}@${rollout.startedAt.toISOString()}`, rollout: rollout.rollout, versionGroup: rollout.versionGroup, component };
}

/** A group serving has no rollout to key on: one firing per cool-down period, the cool-down being what stops a loop. */
function groupSubject(group: string, component: string | null, spec: RollbackTriggerSpec, now: number): TriggerSubject {
  return { key: `group:${group}@${Math.floor(now / Math.max(spec.coolDownMs, 60_000))}`, rollout: null, versionGroup: group, component };
}

function uniqueEnvironments(where: readonly { stack: string; environment: string }[]): { stack: string; environment: string }[] {
  return [...new Map(where.map(({ stack, environment }) => [`${stack}/${environment}`, { stack, environment }])).values()];
}

function describe(figures: TriggerFigures): string {
  if (figures.requests === 0) return 'no requests';
  const errors = figures.errorRate === null ? '' : `error rate ${(100 * figures.errorRate).toFixed(2)} % of ${figures.requests} requests`;
  const latency = figures.latencyMeanMs === null ? '' : `, latency mean ${figures.latencyMeanMs.toFixed(1)} ms, p99 ≤ ${figures.latencyP99Ms ?? '?'} ms`;
  return `${errors}${latency}`;
}
