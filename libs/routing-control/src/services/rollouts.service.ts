import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AnomalyDetectedV1 } from '@strata/contracts';
import { DomainError, DomainErrorCode, RolloutInput, parseRolloutSpec, rolloutSpecViolations, withCanaryWeight } from '@strata/domain';
import { isUniqueViolation } from '@strata/persistence';
import { EntityManager } from 'typeorm';
import { RolloutEntity, RolloutTransitionEntity } from '../entities/rollout.entity';
import { DeployedGroupsRepository } from '../repositories/deployed-groups.repository';
import { RolloutsRepository } from '../repositories/rollouts.repository';
import { RoutingTransactions } from '../repositories/transactions';
import { anomalyTriggerReason } from './rollback-triggers.service';
import { RolloutEngine } from './rollout-engine.service';
import { RolloutGuardsService } from './rollout-guards.service';
import { RoutingPoliciesService } from './routing-policies.service';

export interface NewRollout {
  stack: string;
  name: string;
  spec: unknown;
  /** The registry's checksum of a declared Rollout manifest: the same declaration twice is one rollout. */
  checksum?: string;
}

@Injectable()
export class RolloutsService {
  constructor(
    private readonly rollouts: RolloutsRepository,
    private readonly groups: DeployedGroupsRepository,
    private readonly policies: RoutingPoliciesService,
    private readonly guards: RolloutGuardsService,
    private readonly engine: RolloutEngine,
    private readonly transactions: RoutingTransactions,
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
        return this.engine.start(
          manager,
          {
            id: randomUUID(),
            stack: input.stack,
            name: input.name,
            environment: spec.environment,
            versionGroup: spec.versionGroup,
            steps: spec.steps,
            rollbackTriggers: spec.rollbackTriggers,
            baselineConfig: policy.config.stableConfig,
            sourceChecksum: input.checksum ?? null,
            createdBy: actor,
          },
          actor,
        );
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
      return this.engine.advance(manager, rollout, input, actor);
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
      const input = await this.guards.tickInput(manager, rollout);
      if (input) {
        await this.engine.advance(manager, rollout, input, 'routing-control');
      }
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
      return this.engine.advance(manager, rollout, { kind: 'undo', reason }, actor);
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
    await this.engine.advance(manager, rollout, { kind: 'abort', reason }, 'routing-control');
  }
}
