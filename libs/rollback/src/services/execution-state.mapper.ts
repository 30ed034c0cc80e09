import { ExecutionState, ExecutionStep } from '@strata/domain';
import { ExecutionEntity } from '../entities/execution.entity';

/** The persisted execution as the domain's state machine reads it. */
export function toExecutionState(execution: ExecutionEntity): ExecutionState {
  return {
    id: execution.id,
    status: execution.status,
    steps: execution.steps.map(
      (step): ExecutionStep => ({
        index: step.index,
        action: step.action,
        component: step.component,
        type: step.type,
        fromVersion: step.fromVersion,
        toVersion: step.toVersion,
        status: step.status,
        idempotencyKey: step.idempotencyKey,
        error: step.error,
        startedAt: step.startedAt?.getTime() ?? null,
        finishedAt: step.finishedAt?.getTime() ?? null,
      }),
    ),
  };
}

/** Writes a state the machine returned back onto the entity (status, and each step's status, error and times). */
export function applyExecutionState(execution: ExecutionEntity, state: ExecutionState): void {
  execution.status = state.status;
  for (const step of execution.steps) {
    const next = state.steps[step.index];
    if (!next) continue;
    step.status = next.status;
    step.error = next.error;
    step.startedAt = next.startedAt === null ? null : new Date(next.startedAt);
    step.finishedAt = next.finishedAt === null ? null : new Date(next.finishedAt);
  }
}
