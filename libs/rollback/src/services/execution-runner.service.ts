import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { transition } from '@strata/domain';
import { Logger } from '@strata/observability';
import { PeriodicTask } from '@strata/runtime';
import { EntityManager } from 'typeorm';
import { ROLLBACK_TUNING, RollbackTuning } from '../config/rollback-tuning';
import { ExecutionEntity, ExecutionStepEntity } from '../entities/execution.entity';
import { LayerExecutorRegistry, StepContext, StepProgress } from '../executors/layer-executor';
import { CatalogRepository } from '../repositories/catalog.repository';
import { ExecutionsRepository } from '../repositories/executions.repository';
import { RollbackTransactions } from '../repositories/transactions';
import { ExecutionEvents } from './execution-events';
import { applyExecutionState, toExecutionState } from './execution-state.mapper';

/**
 * Advances every running execution on a timer, one step at a time, each advance in one transaction
 * holding the execution's row lock: a second replica skips it, and a process killed mid-step
 * leaves the step `running` with what its executor persisted, so the next process resumes it
 * there (the executor's idempotency key keeps it from applying anything twice).
 */
@Injectable()
export class ExecutionRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('execution-runner').child({ service: 'rollback' });
  private readonly task: PeriodicTask;

  constructor(
    private readonly executions: ExecutionsRepository,
    private readonly catalog: CatalogRepository,
    private readonly transactions: RollbackTransactions,
    private readonly executors: LayerExecutorRegistry,
    private readonly events: ExecutionEvents,
    @Inject(ROLLBACK_TUNING) private readonly tuning: RollbackTuning,
  ) {
    this.task = new PeriodicTask(
      () => this.pass(),
      (error) => this.logger.warn('cannot list running executions; next tick retries', { error: String(error) }),
    );
  }

  onApplicationBootstrap(): void {
    this.task.start(this.tuning.tickMs);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  private async pass(): Promise<void> {
    for (const id of await this.executions.runningIds(this.transactions.reader)) {
      try {
        // A step that finishes at once lets the next one start in the same pass.
        for (let advanced = 0; advanced < 100 && (await this.advance(id)); advanced++);
      } catch (error) {
        this.logger.error('advancing an execution failed; next tick retries', error, { executionId: id });
      }
    }
  }

  /** Advances one execution by one step if it can; true when a step finished and the next may start now. */
  advance(id: string): Promise<boolean> {
    return this.transactions.run(async (manager) => {
      const execution = await this.executions.lock(manager, id);
      if (!execution || execution.status !== 'running') return false;
      const step = execution.steps.find((candidate) => candidate.status !== 'succeeded');
      if (!step) return false;
      const context = await this.context(manager, execution, step);
      const executor = this.executors.of(step.type);
      if (step.status === 'pending') {
        applyExecutionState(execution, transition(toExecutionState(execution), { type: 'step-started', index: step.index, at: context.now.getTime() }));
        await executor.begin?.(context);
        await this.executions.saveStep(manager, step);
        await this.events.record(manager, execution, 'step-started', step);
      }
      let progress: StepProgress;
      try {
        progress = await executor.progress(context);
      } catch (error) {
        progress = { status: 'failed', error: error instanceof Error ? error.message : String(error) };
      }
      return this.settle(manager, execution, step, progress, context.now);
    });
  }

  private async settle(manager: EntityManager, execution: ExecutionEntity, step: ExecutionStepEntity, progress: StepProgress, now: Date): Promise<boolean> {
    if (progress.status === 'waiting') {
      step.detail = { ...step.detail, outcome: progress.outcome };
      await this.executions.saveStep(manager, step);
      return false;
    }
    const event = progress.status === 'succeeded' ? ({ type: 'step-succeeded', index: step.index, at: now.getTime() } as const) : ({ type: 'step-failed', index: step.index, at: now.getTime(), error: progress.error } as const);
    applyExecutionState(execution, transition(toExecutionState(execution), event));
    if (progress.status === 'succeeded') {
      step.detail = { ...step.detail, outcome: progress.outcome };
      await this.moveDeployed(manager, execution, step);
    }
    await this.executions.saveStep(manager, step);
    await this.executions.saveExecution(manager, execution);
    await this.events.record(manager, execution, progress.status === 'succeeded' ? 'step-succeeded' : 'step-failed', step);
    if (execution.status === 'succeeded') {
      await this.catalog.pushHistory(manager, execution.stack, execution.environment, execution.versionGroup, execution.id);
      await this.events.record(manager, execution, 'succeeded', null);
      this.logger.info('execution succeeded', { executionId: execution.id, kind: execution.kind, versionGroup: execution.versionGroup });
    } else if (execution.status === 'failed') {
      await this.events.record(manager, execution, 'failed', step);
      this.logger.warn('execution failed', { executionId: execution.id, step: step.index, component: step.component, error: step.error });
    }
    return execution.status === 'running';
  }

  /** The projection of what is deployed follows each step, so the next execution plans from the truth. */
  private async moveDeployed(manager: EntityManager, execution: ExecutionEntity, step: ExecutionStepEntity): Promise<void> {
    if (step.action === 'traffic') return;
    if (step.toVersion === null) {
      await this.catalog.removeDeployed(manager, execution.stack, execution.environment, step.component);
    } else {
      await this.catalog.setDeployed(manager, { stack: execution.stack, environment: execution.environment, component: step.component, version: step.toVersion, type: step.type });
    }
  }

  private async context(manager: EntityManager, execution: ExecutionEntity, step: ExecutionStepEntity): Promise<StepContext> {
    const moved = step.action === 'revert' ? step.fromVersion : step.toVersion;
    const version = step.action === 'traffic' || moved === null ? null : await this.catalog.version(manager, execution.stack, step.component, moved);
    const restored = step.action === 'revert' && step.toVersion !== null ? await this.catalog.version(manager, execution.stack, step.component, step.toVersion) : null;
    return { execution, step, version, restored, manager, now: new Date() };
  }
}
