import { Inject, Injectable } from '@nestjs/common';
import { DomainError, DomainErrorCode, JudgedMetric, RolloutInput, advanceRollout, initialRolloutState, promoteCanary, withCanaryWeight } from '@strata/domain';
import { RolloutTransitionedV1 } from '@strata/contracts';
import { EventOutbox } from '@strata/messaging';
import { EntityManager } from 'typeorm';
import { ROUTING_CONTROL_TUNING, RoutingControlTuning } from '../config/routing-control-tuning';
import { RolloutEntity, RolloutTransitionEntity } from '../entities/rollout.entity';
import { RolloutsRepository } from '../repositories/rollouts.repository';
import { RolloutAnalysisService } from './rollout-analysis.service';
import { RolloutGuardsService } from './rollout-guards.service';
import { RoutingPoliciesService } from './routing-policies.service';

/** Inputs an operator sends: a step they ask for that cannot be carried out is refused to them, not held. */
const OPERATOR_COMMANDS = new Set<RolloutInput['kind']>(['start', 'promote', 'resume']);

/** Analyses answered within one command, so a passing analysis chain cannot loop forever. */
const MAX_ANALYSES_PER_ADVANCE = 10;

/** A new rollout's row, as RolloutsService has checked it. */
export type NewRolloutRow = Omit<Parameters<RolloutsRepository['insert']>[1], 'state' | 'phase'>;

/** A Rollout's rollback triggers as its spec declares them (when, for, minRequests). */
export type DeclaredRollbackTriggers = NonNullable<RolloutTransitionedV1['rollbackTriggers']>;

/** One transition to record and announce. */
interface TransitionRecord {
  from: RolloutTransitionEntity['fromPhase'];
  to: RolloutTransitionEntity['toPhase'];
  stepIndex: number;
  canaryWeight: number;
  reason: string;
  policyVersion: number | null;
  rollbackTriggers?: DeclaredRollbackTriggers;
  judgedMetrics?: JudgedMetric[];
}

/**
 * Carries out the rollout state machine (libs/domain/src/rollouts/rollout-state-machine.ts): feeds
 * it an input, then does the effects it returns, in the caller's transaction: weights pushed into
 * the routing policy, analyses judged, transitions recorded and announced.
 */
@Injectable()
export class RolloutEngine {
  constructor(
    private readonly rollouts: RolloutsRepository,
    private readonly policies: RoutingPoliciesService,
    private readonly guards: RolloutGuardsService,
    private readonly analysis: RolloutAnalysisService,
    private readonly events: EventOutbox,
    @Inject(ROUTING_CONTROL_TUNING) private readonly tuning: RoutingControlTuning,
  ) {}

  /**
   * Inserts the rollout as pending and starts it: its first steps run at once. The creating
   * transition carries the rollback triggers as declared: the rollback service watches them.
   */
  async start(manager: EntityManager, row: NewRolloutRow, rollbackTriggers: DeclaredRollbackTriggers, actor: string): Promise<RolloutEntity> {
    const rollout = await this.rollouts.insert(manager, { ...row, state: initialRolloutState(this.tuning.now()), phase: 'pending' });
    await this.record(manager, rollout, [{ from: null, to: 'pending', stepIndex: 0, canaryWeight: 0, reason: 'created', policyVersion: null, rollbackTriggers }], actor);
    return this.advance(manager, rollout, { kind: 'start' }, actor);
  }

  /** Applies an input, carries out its effects in this transaction, and answers analyses that fall due. */
  async advance(manager: EntityManager, rollout: RolloutEntity, first: RolloutInput, actor: string): Promise<RolloutEntity> {
    let input: RolloutInput | undefined = first;
    for (let round = 0; input && round <= MAX_ANALYSES_PER_ADVANCE; round += 1) {
      const now = this.tuning.now();
      let { state, effects } = advanceRollout(rollout.steps, rollout.state, input, now);
      const unavailable = await this.guards.unavailableCanary(manager, rollout, effects);
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
      const transitions: TransitionRecord[] = [];
      let policyVersion: number | null = null;
      for (const effect of effects) {
        if (effect.kind === 'setCanaryWeight') {
          policyVersion = await this.pushWeight(manager, rollout, effect.weight, actor);
        } else if (effect.kind === 'transitioned') {
          transitions.push({ from: effect.from, to: effect.to, stepIndex: effect.stepIndex, canaryWeight: effect.canaryWeight, reason: effect.reason, policyVersion, ...(effect.judgedMetrics ? { judgedMetrics: effect.judgedMetrics } : {}) });
          // Only the transition that follows a weight change carries the version that made it.
          policyVersion = null;
        } else if (effect.kind === 'restoreBaseline') {
          policyVersion = await this.restoreBaseline(manager, rollout, actor);
        } else {
          const outcome = await this.analysis.analyse(manager, rollout, state, effect);
          input = outcome ? { kind: 'analysisResult', stepIndex: effect.stepIndex, outcome } : undefined;
        }
      }
      if (state === rollout.state && transitions.length === 0) {
        // Nothing changed: an analysis result to apply next, or one still waiting for its last KPI windows.
        continue;
      }
      rollout.state = state;
      rollout = await this.rollouts.save(manager, rollout);
      await this.record(manager, rollout, transitions, actor);
    }
    return rollout;
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

  private async record(manager: EntityManager, rollout: RolloutEntity, transitions: TransitionRecord[], actor: string): Promise<void> {
    await this.rollouts.appendTransitions(
      manager,
      transitions.map((transition) => ({ rolloutId: rollout.id, fromPhase: transition.from, toPhase: transition.to, stepIndex: transition.stepIndex, canaryWeight: transition.canaryWeight, reason: transition.reason, policyVersion: transition.policyVersion, judgedMetrics: transition.judgedMetrics ?? null, actor })),
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
