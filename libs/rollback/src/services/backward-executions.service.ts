import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DomainError } from '@strata/domain';
import { Logger } from '@strata/observability';
import { PeriodicTask } from '@strata/runtime';
import { EntityManager } from 'typeorm';
import { ROLLBACK_TUNING, RollbackTuning } from '../config/rollback-tuning';
import { TriggerFiringEntity } from '../entities/trigger.entity';
import { TriggersRepository } from '../repositories/triggers.repository';
import { RollbackTransactions } from '../repositories/transactions';
import { ExecutionsService } from './executions.service';

/** How long a firing waits for the stack and environment to be free before it gives up, saying why. */
const BACKWARD_WAIT_MS = 300_000;
const PASS_SIZE = 20;

type Advance = Pick<TriggerFiringEntity, 'status' | 'outcome' | 'executionId'> | 'wait';

/**
 * Starts the backward execution of each `rollback` firing as soon as it can: when the canary
 * deploy of the group (its traffic step failing as the abort lands) has failed, it is abandoned and
 * every layer it applied is rolled back to the group it came from; a group serving (a regression
 * after its promotion) is rolled back to the one before it. Each firing in a transaction of its
 * own, its row locked: replicas share the work.
 */
@Injectable()
export class BackwardExecutions implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('rollback-triggers').child({ service: 'rollback' });
  private readonly task = new PeriodicTask(
    () => this.pass(),
    (error) => this.logger.warn('cannot list firings waiting for their backward execution; next tick retries', { error: String(error) }),
  );

  constructor(
    private readonly triggers: TriggersRepository,
    private readonly executions: ExecutionsService,
    private readonly transactions: RollbackTransactions,
    @Inject(ROLLBACK_TUNING) private readonly tuning: RollbackTuning,
  ) {}

  onApplicationBootstrap(): void {
    // Half the execution tick: the aborted deploy fails on one tick, its rollback starts before the next.
    this.task.start(this.tuning.tickMs === 0 ? 0 : Math.max(50, Math.floor(this.tuning.tickMs / 2)));
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** One pass over the waiting firings (tests call it by hand). */
  runNow(): Promise<void> {
    return this.task.runNow();
  }

  private async pass(): Promise<void> {
    for (let index = 0; index < PASS_SIZE; index++) {
      const started = await this.transactions.run(async (manager) => {
        const [firing] = await this.triggers.pendingBackward(manager, 1, index);
        if (!firing) return null;
        await this.settle(manager, firing, await this.attempt(manager, firing));
        return firing;
      }).catch(async (error: unknown) => {
        this.logger.error('a backward execution could not start; next tick retries', error);
        return null;
      });
      if (!started) return;
    }
  }

  private async settle(manager: EntityManager, firing: TriggerFiringEntity, result: Advance): Promise<void> {
    if (result === 'wait') return;
    await this.triggers.settleFiring(manager, firing.id, result);
    this.logger.warn('rollback trigger: backward execution', { trigger: firing.triggerName, stack: firing.stack, environment: firing.environment, status: result.status, outcome: result.outcome });
  }

  private async attempt(manager: EntityManager, firing: TriggerFiringEntity): Promise<Advance> {
    const { stack, environment, versionGroup } = firing;
    const reason = `rollback trigger ${firing.triggerName} fired: "${firing.when}" held: ${firing.evidence}`.slice(0, 2_000);
    const actor = `rollback-trigger:${firing.triggerName}`;
    const holder = await this.executions.holder(stack, environment, manager);
    try {
      if (holder?.kind === 'rollback') {
        return { status: 'backward-started', outcome: `rollback execution ${holder.id} (to ${holder.versionGroup}) was already under way`, executionId: holder.id };
      }
      if (holder?.kind === 'deploy' && holder.versionGroup === versionGroup && holder.status === 'failed') {
        await this.executions.abandon(holder.id, manager);
        if (holder.fromVersionGroup === null) return { status: 'failed', outcome: `deploy ${holder.id} of ${versionGroup} was abandoned; it was the first deploy here, so there is no group to roll back to`, executionId: null };
        return await this.rollBack(manager, firing, { to: holder.fromVersionGroup, reason, actor }, `abandoned the failed deploy ${holder.id}, then `);
      }
      if (holder) {
        if (Date.now() - firing.firedAt.getTime() < BACKWARD_WAIT_MS) return 'wait';
        return { status: 'failed', outcome: `execution ${holder.id} (${holder.kind} of ${holder.versionGroup}, ${holder.status}) held ${stack}/${environment} for ${BACKWARD_WAIT_MS / 1000} s; roll back by hand`, executionId: null };
      }
      const serving = await this.executions.serving(stack, environment, manager);
      if (serving === null) return { status: 'failed', outcome: `no group was ever deployed to ${stack}/${environment} by an execution: nothing to roll back`, executionId: null };
      // The group serving regressed (after its promotion): back to the one before it. A canary group
      // that never completed its deploy: back to the group serving, which reverts what it left applied.
      return await this.rollBack(manager, firing, { ...(versionGroup === serving ? {} : { to: serving }), reason, actor }, '');
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return { status: 'failed', outcome: `the backward execution could not start: ${error.message}`, executionId: null };
    }
  }

  private async rollBack(manager: EntityManager, firing: TriggerFiringEntity, request: { to?: string; reason: string; actor: string }, before: string): Promise<Advance> {
    const base = { stack: firing.stack, environment: firing.environment, reason: request.reason, ...(request.to ? { to: request.to } : {}) };
    const plan = await this.executions.rollback({ ...base, dryRun: true }, request.actor, manager);
    if (plan.dryRun && request.to !== undefined && plan.plan.steps.every((step) => step.action === 'traffic')) {
      return { status: 'done', outcome: `${before}nothing to roll back: every layer is at ${request.to}'s versions and the rollout's traffic is back on it`, executionId: null };
    }
    const started = await this.executions.rollback({ ...base, dryRun: false }, request.actor, manager);
    if (started.dryRun) throw new Error('a rollback asked without dryRun answered a plan');
    return { status: 'backward-started', outcome: `${before}rolling every layer back to ${started.execution.versionGroup}: execution ${started.execution.id}`, executionId: started.execution.id };
  }
}
