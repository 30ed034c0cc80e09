import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  AnalysisOutcome,
  AnalysisFigures,
  DomainError,
  DomainErrorCode,
  RolloutEffect,
  RolloutInput,
  RolloutState,
  advanceRollout,
  initialRolloutState,
  judgeByThresholds,
  parseRolloutSpec,
  rolloutSpecViolations,
  promoteCanary,
  withCanaryWeight,
} from '@strata/domain';
import { AnomalyDetectedV1 } from '@strata/contracts';
import { EventOutbox } from '@strata/messaging';
import { EntityManager } from 'typeorm';
import { RolloutEntity, RolloutTransitionEntity } from '../entities/rollout.entity';
import { DeployedGroupsRepository } from '../repositories/deployed-groups.repository';
import { GatewayAvailabilityRepository } from '../repositories/gateway-availability.repository';
import { KpiWindowsRepository } from '../repositories/kpi-windows.repository';
import { NewRolloutTransition, RolloutsRepository } from '../repositories/rollouts.repository';
import { isUniqueViolation } from '@strata/persistence';
import { RoutingTransactions } from '../repositories/transactions';
import { combineAnalyses, describeJudged, judgeRolloutWindow } from '../domain/canary-analysis';
import { RollbackTriggersService, anomalyTriggerReason } from './rollback-triggers.service';
import { ROUTING_CONTROL_TUNING, RoutingControlTuning } from '../config/routing-control-tuning';
import { RoutingPoliciesService } from './routing-policies.service';

export interface NewRollout {
  stack: string;
  name: string;
  spec: unknown;
  /** The registry's checksum of a declared Rollout manifest: the same declaration twice is one rollout. */
  checksum?: string;
}

/** Inputs an operator sends: a step they ask for that cannot be carried out is refused to them, not held. */
const OPERATOR_COMMANDS = new Set<RolloutInput['kind']>(['start', 'promote', 'resume']);

/** How recently a gateway must have confirmed its config for its availability report to count (two policy resyncs). */
const LIVE_GATEWAY_MS = 90_000;

/** Analyses answered within one command, so a passing analysis chain cannot loop forever. */
const MAX_ANALYSES_PER_ADVANCE = 10;

@Injectable()
export class RolloutsService {
  constructor(
    private readonly rollouts: RolloutsRepository,
    private readonly groups: DeployedGroupsRepository,
    private readonly kpiWindows: KpiWindowsRepository,
    private readonly availability: GatewayAvailabilityRepository,
    private readonly triggers: RollbackTriggersService,
    private readonly policies: RoutingPoliciesService,
    private readonly transactions: RoutingTransactions,
    private readonly events: EventOutbox,
    @Inject(ROUTING_CONTROL_TUNING) private readonly tuning: RoutingControlTuning,
  ) {}

  /** Creates the rollout and starts it: its first steps run at once. */
  async create(input: NewRollout, actor: string, within?: EntityManager): Promise<RolloutEntity> {
    const violations = rolloutSpecViolations(input.spec);
    if (violations.length > 0) {
      // Named as the request body names them, under `spec`.
      throw DomainError.invalid(`the rollout spec has ${violations.length} violation(s)`, violations.map((violation) => ({ ...violation, field: violation.field === '' ? 'spec' : `spec.${violation.field}` })));
    }
    const spec = parseRolloutSpec(input.spec);
    try {
      return await this.transactions.run(async (manager) => {
        const existing = await this.rollouts.findByName(manager, input.stack, input.name);
        if (existing && input.checksum !== undefined && existing.sourceChecksum === input.checksum) {
          return existing;
        }
        const deployed = await this.groups.deployedGroups(manager, input.stack, spec.environment);
        if (!deployed.has(spec.versionGroup)) {
          throw DomainError.invalid(`version group '${spec.versionGroup}' is not deployed to ${spec.environment}`, [{ field: 'spec.versionGroup', message: `is not deployed to ${spec.environment}` }]);
        }
        const policy = await this.policies.requireCurrent(manager, input.stack, spec.environment);
        // Fails early, naming what is missing, rather than at the first weight step.
        withCanaryWeight(policy.config, spec.versionGroup, 0);
        const now = this.tuning.now();
        const rollout = await this.rollouts.insert(manager, {
          id: randomUUID(),
          stack: input.stack,
          name: input.name,
          environment: spec.environment,
          versionGroup: spec.versionGroup,
          steps: spec.steps,
          rollbackTriggers: spec.rollbackTriggers,
          baselineConfig: policy.config.stableConfig,
          state: initialRolloutState(now),
          phase: 'pending',
          sourceChecksum: input.checksum ?? null,
          createdBy: actor,
        });
        await this.record(manager, rollout, [{ from: null, to: 'pending', stepIndex: 0, canaryWeight: 0, reason: 'created', policyVersion: null }], actor);
        return this.advance(manager, rollout, { kind: 'start' }, actor);
      }, within);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DomainError(DomainErrorCode.Conflict, `rollout '${input.stack}/${input.name}' exists, or another rollout is active in ${input.stack}/${spec.environment}`);
      }
      throw error;
    }
  }

  async get(id: string): Promise<RolloutEntity> {
    const rollout = await this.rollouts.find(this.transactions.reader, id);
    if (!rollout) {
      throw DomainError.notFound('rollout', id);
    }
    return rollout;
  }

  list(filter: { stack?: string; environment?: string }, limit: number): Promise<RolloutEntity[]> {
    return this.rollouts.list(this.transactions.reader, filter, limit);
  }

  async transitions(id: string): Promise<RolloutTransitionEntity[]> {
    await this.get(id);
    return this.rollouts.transitions(this.transactions.reader, id);
  }

  /** An operator's command (pause, resume, promote, abort), refused with the phase when illegal. */
  command(id: string, input: RolloutInput, actor: string, within?: EntityManager): Promise<RolloutEntity> {
    return this.transactions.run(async (manager) => {
      const rollout = await this.rollouts.findForUpdate(manager, id);
      if (!rollout) {
        throw DomainError.notFound('rollout', id);
      }
      return this.advance(manager, rollout, input, actor);
    }, within);
  }

  findActive(manager: EntityManager, stack: string, environment: string): Promise<RolloutEntity | null> {
    return this.rollouts.findActive(manager, stack, environment);
  }

  activeIds(): Promise<string[]> {
    return this.rollouts.activeIds(this.transactions.reader);
  }

  /** One tick of one rollout: timers, analyses due, and the end of an abort once gateways serve without the canary. */
  tick(id: string): Promise<void> {
    return this.transactions.run(async (manager) => {
      const rollout = await this.rollouts.findForUpdate(manager, id);
      if (!rollout) {
        return;
      }
      if (rollout.state.phase === 'aborted') {
        if (await this.gatewaysServeWithoutCanary(manager, rollout)) {
          await this.advance(manager, rollout, { kind: 'confirmRolledBack' }, 'routing-control');
        }
        return;
      }
      const triggered = await this.triggers.heldCondition(manager, rollout);
      if (triggered) {
        await this.advance(manager, rollout, { kind: 'abort', reason: triggered }, 'routing-control');
        return;
      }
      await this.advance(manager, rollout, { kind: 'tick' }, 'routing-control');
    });
  }

  /**
   * Undoes the promotion of the rollout promoted last in its stack and environment: every weight
   * goes back to the stable config it replaced, in one policy change, and the rollout ends
   * rolled back. Refused, naming why, for a rollout that is not promoted, not the latest one, or
   * whose baseline no longer has a stack config in the policy.
   */
  undo(id: string, reason: string, actor: string): Promise<RolloutEntity> {
    return this.transactions.run(async (manager) => {
      const rollout = await this.rollouts.findForUpdate(manager, id);
      if (!rollout) {
        throw DomainError.notFound('rollout', id);
      }
      const latest = await this.rollouts.latestPromoted(manager, rollout.stack, rollout.environment);
      if (rollout.state.phase === 'promoted' && latest && latest.id !== rollout.id) {
        throw new DomainError(DomainErrorCode.Conflict, `cannot undo rollout ${rollout.name}: rollout ${latest.name} was promoted after it; undo that one first`);
      }
      return this.advance(manager, rollout, { kind: 'undo', reason }, actor);
    });
  }

  /**
   * An anomaly the detector raised: a rollout whose canary it concerns and whose anomaly trigger
   * its severity reaches is aborted in the same transaction.
   */
  async onAnomaly(manager: EntityManager, anomaly: AnomalyDetectedV1): Promise<void> {
    const { stack, environment, stackConfig } = anomaly.series;
    const active = stackConfig === undefined ? null : await this.rollouts.findActive(manager, stack, environment);
    if (!active || active.versionGroup !== stackConfig) {
      return;
    }
    const reason = anomalyTriggerReason(active, anomaly);
    const rollout = reason ? await this.rollouts.findForUpdate(manager, active.id) : null;
    if (!reason || !rollout || (rollout.state.phase !== 'progressing' && rollout.state.phase !== 'paused')) {
      return;
    }
    await this.advance(manager, rollout, { kind: 'abort', reason }, 'routing-control');
  }

  private async gatewaysServeWithoutCanary(manager: EntityManager, rollout: RolloutEntity): Promise<boolean> {
    const { policy, gateways } = await this.policies.status(rollout.stack, rollout.environment, manager);
    const canary = policy.config.stackConfigs.find((stackConfig) => stackConfig.name === rollout.versionGroup);
    const drained = policy.config.stableConfig !== rollout.versionGroup && (canary?.weight ?? 0) === 0;
    // With no gateway known yet there is nobody to wait for.
    return drained && gateways.every((gateway) => gateway.status === 'in-sync');
  }

  /** Applies an input, carries out its effects in this transaction, and answers analyses that fall due. */
  private async advance(manager: EntityManager, rollout: RolloutEntity, first: RolloutInput, actor: string): Promise<RolloutEntity> {
    let input: RolloutInput | undefined = first;
    for (let round = 0; input && round <= MAX_ANALYSES_PER_ADVANCE; round += 1) {
      const now = this.tuning.now();
      let { state, effects } = advanceRollout(rollout.steps, rollout.state, input, now);
      const unavailable = await this.unavailableCanary(manager, rollout, effects);
      if (unavailable) {
        if (OPERATOR_COMMANDS.has(input.kind)) {
          throw new DomainError(DomainErrorCode.PreconditionFailed, `cannot move traffic onto the canary ${rollout.versionGroup}: ${unavailable}`);
        }
        // The step is held for an operator instead: no weight moves onto a canary that cannot take it.
        ({ state, effects } = advanceRollout(rollout.steps, rollout.state, input, now, { canaryUnavailable: unavailable }));
      }
      input = undefined;
      if (state === rollout.state && effects.length === 0) {
        // A tick that changed nothing writes nothing.
        return rollout;
      }
      const transitions: Omit<NewRolloutTransition, 'rolloutId' | 'actor'>[] = [];
      let policyVersion: number | null = null;
      for (const effect of effects) {
        if (effect.kind === 'setCanaryWeight') {
          policyVersion = await this.pushWeight(manager, rollout, effect.weight, actor);
        } else if (effect.kind === 'transitioned') {
          transitions.push({ fromPhase: effect.from, toPhase: effect.to, stepIndex: effect.stepIndex, canaryWeight: effect.canaryWeight, reason: effect.reason, policyVersion });
          // Only the transition that follows a weight change carries the version that made it.
          policyVersion = null;
        } else if (effect.kind === 'restoreBaseline') {
          policyVersion = await this.restoreBaseline(manager, rollout, actor);
        } else {
          const outcome = await this.analyse(manager, rollout, state, effect);
          input = outcome ? { kind: 'analysisResult', stepIndex: effect.stepIndex, outcome } : undefined;
        }
      }
      if (state === rollout.state && transitions.length === 0) {
        // Nothing changed: an analysis result to apply next, or one still waiting for its last KPI windows.
        continue;
      }
      rollout.state = state;
      rollout = await this.rollouts.save(manager, rollout);
      await this.record(
        manager,
        rollout,
        transitions.map((transition) => ({ from: transition.fromPhase, to: transition.toPhase, stepIndex: transition.stepIndex, canaryWeight: transition.canaryWeight, reason: transition.reason, policyVersion: transition.policyVersion })),
        actor,
      );
    }
    return rollout;
  }

  /**
   * Why the canary cannot take more traffic now, when these effects would give it more: no node
   * the registry does not know as unhealthy, or a live gateway reporting it without an available
   * node (all ejected). Null when it can, or when no effect raises its weight.
   */
  private async unavailableCanary(manager: EntityManager, rollout: RolloutEntity, effects: readonly RolloutEffect[]): Promise<string | null> {
    const raises = effects.some((effect) => effect.kind === 'setCanaryWeight' && effect.weight > rollout.state.canaryWeight);
    if (!raises) {
      return null;
    }
    if ((await this.policies.healthyNodeCount(manager, rollout.stack, rollout.environment, rollout.versionGroup)) === 0) {
      return 'it has no node the registry knows as healthy';
    }
    const reports = await this.availability.reportingUnavailable(manager, { stack: rollout.stack, environment: rollout.environment }, rollout.versionGroup, LIVE_GATEWAY_MS);
    if (reports.length > 0) {
      return `gateway ${reports.map((report) => `${report.gatewayId} (since ${report.reportedAt.toISOString()})`).join(', ')} reports no available node for it`;
    }
    return null;
  }

  private async pushWeight(manager: EntityManager, rollout: RolloutEntity, weight: number, actor: string): Promise<number> {
    const reason = `rollout ${rollout.name}: canary ${rollout.versionGroup} at ${weight} %`;
    const policy = await this.policies.derive(
      manager,
      rollout.stack,
      rollout.environment,
      (current) => (weight === 100 ? promoteCanary(current, rollout.versionGroup) : withCanaryWeight(current, rollout.versionGroup, weight)),
      reason,
      actor,
    );
    return policy.version;
  }

  /** All weighted traffic back to the stable config the rollout started from (an undone promotion). */
  private async restoreBaseline(manager: EntityManager, rollout: RolloutEntity, actor: string): Promise<number> {
    const baseline = rollout.baselineConfig;
    if (baseline === null) {
      throw new DomainError(DomainErrorCode.PreconditionFailed, `rollout ${rollout.name} does not know the stable config it replaced (created before undo existed); set the routing policy by hand`);
    }
    const policy = await this.policies.derive(
      manager,
      rollout.stack,
      rollout.environment,
      (current) => {
        if (!current.stackConfigs.some((stackConfig) => stackConfig.name === baseline)) {
          throw new DomainError(DomainErrorCode.PreconditionFailed, `cannot undo rollout ${rollout.name}: the routing policy no longer lists its previous stable config '${baseline}'`);
        }
        if (current.stableConfig !== rollout.versionGroup) {
          throw new DomainError(DomainErrorCode.Conflict, `cannot undo rollout ${rollout.name}: the stable config is now '${current.stableConfig}', not its canary '${rollout.versionGroup}'`);
        }
        return promoteCanary({ ...current, stableConfig: rollout.versionGroup }, baseline);
      },
      `rollout ${rollout.name} undone: ${baseline} takes all traffic again`,
      actor,
    );
    return policy.version;
  }

  /**
   * The step's judge over the canary's and the stable config's KPI windows lying inside the
   * step's window, or null while those windows have not all arrived yet (metrics-ingest publishes
   * a window a few seconds after it ends). Judging before they arrive is how a canary returning
   * 30 % errors was once promoted on a window that held none of them; after
   * `analysisDataWaitMs` the judge runs on what arrived (too little is inconclusive, never a pass).
   */
  private async analyse(manager: EntityManager, rollout: RolloutEntity, state: RolloutState, due: Extract<RolloutEffect, { kind: 'analysisDue' }>): Promise<AnalysisOutcome | null> {
    const step = rollout.steps[due.stepIndex];
    if (step?.kind !== 'analysis') {
      return { verdict: 'inconclusive', findings: [`step ${due.stepIndex} is not an analysis`] };
    }
    const policy = await this.policies.requireCurrent(manager, rollout.stack, rollout.environment);
    const scope = { stack: rollout.stack, environment: rollout.environment };
    const sides = { canary: rollout.versionGroup, stable: policy.config.stableConfig };
    const now = this.tuning.now();
    if (now < due.windowEnd + this.tuning.analysisDataWaitMs) {
      for (const stackConfig of Object.values(sides)) {
        const watermark = await this.kpiWindows.watermark(manager, { ...scope, stackConfig });
        // The last window ending inside the analysis window must have arrived.
        if (!watermark || watermark.latestEnd < Math.floor(due.windowEnd / watermark.windowMs) * watermark.windowMs) {
          return null;
        }
      }
    }
    const from = new Date(due.windowStart);
    const to = new Date(due.windowEnd);
    const canary = await this.kpiWindows.figures(manager, { ...scope, stackConfig: sides.canary }, from, to);
    const stable = await this.kpiWindows.figures(manager, { ...scope, stackConfig: sides.stable }, from, to);
    const figures: AnalysisFigures = { canary, stable };
    const thresholds = () => judgeByThresholds(step.rules, step.minSamples, figures);
    const outcome =
      step.judge === 'thresholds' ? thresholds() : combineAnalyses([judgeRolloutWindow(figures, step.minSamples), ...(step.rules.length > 0 ? [thresholds()] : [])]);
    return { ...outcome, findings: [`judge ${step.judge} at ${state.canaryWeight} %`, describeJudged(canary, stable), ...outcome.findings] };
  }

  private async record(
    manager: EntityManager,
    rollout: RolloutEntity,
    transitions: { from: RolloutTransitionEntity['fromPhase']; to: RolloutTransitionEntity['toPhase']; stepIndex: number; canaryWeight: number; reason: string; policyVersion: number | null }[],
    actor: string,
  ): Promise<void> {
    await this.rollouts.appendTransitions(
      manager,
      transitions.map((transition) => ({ rolloutId: rollout.id, fromPhase: transition.from, toPhase: transition.to, stepIndex: transition.stepIndex, canaryWeight: transition.canaryWeight, reason: transition.reason, policyVersion: transition.policyVersion, actor })),
    );
    for (const transition of transitions) {
      await this.events.record(
        manager,
        this.events.create('io.strata.routing.rollout.transitioned.v1', rollout.stack, {
          stack: rollout.stack,
          environment: rollout.environment,
          rollout: rollout.name,
          versionGroup: rollout.versionGroup,
          ...transition,
          actor,
        }),
      );
    }
  }
}
