import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  AnalysisOutcome,
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
import { EventOutbox } from '@strata/messaging';
import { EntityManager } from 'typeorm';
import { RolloutEntity, RolloutTransitionEntity } from '../entities/rollout.entity';
import { DeployedGroupsRepository } from '../repositories/deployed-groups.repository';
import { KpiWindowsRepository } from '../repositories/kpi-windows.repository';
import { NewRolloutTransition, RolloutsRepository } from '../repositories/rollouts.repository';
import { isUniqueViolation } from '@strata/persistence';
import { RoutingTransactions } from '../repositories/transactions';
import { combineAnalyses, judgeRolloutWindow } from './canary-analysis';
import { ROUTING_CONTROL_TUNING, RoutingControlTuning } from './routing-control-tuning';
import { RoutingPoliciesService } from './routing-policies.service';

export interface NewRollout {
  stack: string;
  name: string;
  spec: unknown;
  /** The registry's checksum of a declared Rollout manifest: the same declaration twice is one rollout. */
  checksum?: string;
}

/**
 * The schema lives in libs/contracts/src/events/rollout-events.ts; events of this type are
 * recorded once the type is in the event catalog (a producer never emits an uncatalogued type).
 */
export const ROLLOUT_TRANSITIONED_EVENT = 'io.strata.routing.rollout.transitioned.v1' as const;

/** Analyses answered within one command, so a passing analysis chain cannot loop forever. */
const MAX_ANALYSES_PER_ADVANCE = 10;

@Injectable()
export class RolloutsService {
  constructor(
    private readonly rollouts: RolloutsRepository,
    private readonly groups: DeployedGroupsRepository,
    private readonly kpiWindows: KpiWindowsRepository,
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
      await this.advance(manager, rollout, { kind: 'tick' }, 'routing-control');
    });
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
      const { state, effects } = advanceRollout(rollout.steps, rollout.state, input, this.tuning.now());
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
        } else {
          input = { kind: 'analysisResult', stepIndex: effect.stepIndex, outcome: await this.analyse(manager, rollout, state, effect) };
        }
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

  /** The step's judge over the canary's and the stable config's KPI windows of the step's window. */
  private async analyse(manager: EntityManager, rollout: RolloutEntity, state: RolloutState, due: Extract<RolloutEffect, { kind: 'analysisDue' }>): Promise<AnalysisOutcome> {
    const step = rollout.steps[due.stepIndex];
    if (step?.kind !== 'analysis') {
      return { verdict: 'inconclusive', findings: [`step ${due.stepIndex} is not an analysis`] };
    }
    const policy = await this.policies.requireCurrent(manager, rollout.stack, rollout.environment);
    const from = new Date(due.windowStart);
    const to = new Date(due.windowEnd);
    const scope = { stack: rollout.stack, environment: rollout.environment };
    const canary = await this.kpiWindows.figures(manager, { ...scope, stackConfig: rollout.versionGroup }, from, to);
    const stable = await this.kpiWindows.figures(manager, { ...scope, stackConfig: policy.config.stableConfig }, from, to);
    const figures = { canary, stable };
    const thresholds = () => judgeByThresholds(step.rules, step.minSamples, figures);
    const outcome =
      step.judge === 'thresholds' ? thresholds() : combineAnalyses([judgeRolloutWindow(figures, step.minSamples), ...(step.rules.length > 0 ? [thresholds()] : [])]);
    return { ...outcome, findings: [`judge ${step.judge} at ${state.canaryWeight} %`, ...outcome.findings] };
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
        this.events.create(ROLLOUT_TRANSITIONED_EVENT, rollout.stack, {
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
