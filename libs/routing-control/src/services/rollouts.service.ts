import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { RolloutAbortRequestedV1 } from '@strata/contracts';
import { DomainError, DomainErrorCode, RolloutInput, RolloutPhase, parseRolloutSpec, rolloutSpecViolations, withCanaryWeight } from '@strata/domain';
import { Logger } from '@strata/observability';
import { isUniqueViolation } from '@strata/persistence';
import { EntityManager } from 'typeorm';
import { RolloutEntity, RolloutTransitionEntity } from '../entities/rollout.entity';
import { DeployedGroupsRepository } from '../repositories/deployed-groups.repository';
import { RolloutsRepository } from '../repositories/rollouts.repository';
import { RoutingTransactions } from '../repositories/transactions';
import { DeclaredRollbackTriggers, RolloutEngine } from './rollout-engine.service';
import { RolloutGuardsService } from './rollout-guards.service';
import { RoutingPoliciesService } from './routing-policies.service';

/** The phases an abort applies to (rollout-state-machine.ts); later ones have nothing left to abort. */
const ABORTABLE_PHASES: ReadonlySet<RolloutPhase> = new Set(['pending', 'progressing', 'paused']);

/** The spec's rollback triggers as declared (the spec is valid): what the creating transition carries. */
function declaredTriggers(spec: unknown): DeclaredRollbackTriggers {
  const declared = (spec as { rollbackTriggers?: DeclaredRollbackTriggers }).rollbackTriggers ?? [];
  return declared.map(({ when, for: holdFor, minRequests }) => ({ when, ...(holdFor === undefined ? {} : { for: holdFor }), ...(minRequests === undefined ? {} : { minRequests }) }));
}

export interface NewRollout {
  stack: string;
  name: string;
  spec: unknown;
  /** The registry's checksum of a declared Rollout manifest: the same declaration twice is one rollout. */
  checksum?: string;
}

@Injectable()
export class RolloutsService {
  private readonly logger = new Logger('rollouts');

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
        // A canary takes live traffic and its promotion retires the production groups before it (the
        // registry's version map): a group deployed to the staging location only is not one.
        const deployed = await this.groups.deployedGroups(manager, input.stack, spec.environment, 'production');
        if (!deployed.has(spec.versionGroup)) {
          const staged = (await this.groups.deployedGroups(manager, input.stack, spec.environment, 'staging')).has(spec.versionGroup);
          const message = staged ? `is deployed to the staging location of ${spec.environment} only, not to its production location` : `is not deployed to ${spec.environment}`;
          throw DomainError.invalid(`version group '${spec.versionGroup}' ${message}`, [{ field: 'spec.versionGroup', message }]);
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
          declaredTriggers(input.spec),
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
   * The rollback service's abort of a rollout whose rollback trigger fired, carried out as an
   * operator's abort (weights back to stable at once, the transition announced) with the request's
   * reason and actor. A rollout that has ended or is already aborted, or an unknown one, is left
   * as it is: the trigger raced the rollout's end, or a redelivered request repeats an abort
   * already carried out. Neither is an error to retry or dead-letter.
   */
  async abortRequested(manager: EntityManager, request: RolloutAbortRequestedV1): Promise<void> {
    const named = await this.rollouts.findByName(manager, request.stack, request.rollout);
    const rollout = named?.environment === request.environment ? await this.rollouts.findForUpdate(manager, named.id) : null;
    if (!rollout || !ABORTABLE_PHASES.has(rollout.state.phase)) {
      this.logger.info('abort request left alone: the rollout has ended or is unknown', {
        requestId: request.requestId,
        stack: request.stack,
        environment: request.environment,
        rollout: request.rollout,
        phase: rollout?.state.phase ?? named?.state.phase ?? null,
      });
      return;
    }
    await this.engine.advance(manager, rollout, { kind: 'abort', reason: request.reason }, request.actor);
  }
}
