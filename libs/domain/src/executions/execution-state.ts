import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { ExecutionPlan, PlannedStep } from './execution-plan';

export type ExecutionStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'abandoned';
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed';

export interface ExecutionStep extends PlannedStep {
  status: StepStatus;
  /** The one key of this step's side effect: a step is applied at most once under it, across crashes. */
  idempotencyKey: string;
  error: string | null;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface ExecutionState {
  id: string;
  status: ExecutionStatus;
  steps: ExecutionStep[];
}

export function newExecution(id: string, plan: ExecutionPlan): ExecutionState {
  return {
    id,
    status: 'pending',
    steps: plan.steps.map((step) => ({
      ...step,
      status: 'pending',
      idempotencyKey: `${id}:${step.index}:${step.action}:${step.component}@${step.toVersion ?? '-'}`,
      error: null,
      startedAt: null,
      finishedAt: null,
    })),
  };
}

/**
 * The step to run now: the first that has not succeeded, while the execution runs. A step found
 * `running` (the process stopped during it) is the one to resume: its executor checks its
 * idempotency key before doing anything, so it is never applied twice.
 */
export function currentStep(execution: ExecutionState): ExecutionStep | undefined {
  if (execution.status !== 'running') {
    return undefined;
  }
  return execution.steps.find((step) => step.status !== 'succeeded');
}

/** Steps after a failed one, which did not run: what a `failed` execution lists. */
export function stepsNotRun(execution: ExecutionState): ExecutionStep[] {
  const failed = execution.steps.findIndex((step) => step.status === 'failed');
  return failed === -1 ? execution.steps.filter((step) => step.status === 'pending') : execution.steps.slice(failed + 1);
}

export type ExecutionEvent =
  | { type: 'start'; at: number }
  | { type: 'step-started'; index: number; at: number }
  | { type: 'step-succeeded'; index: number; at: number }
  | { type: 'step-failed'; index: number; at: number; error: string }
  | { type: 'retry'; at: number }
  | { type: 'abandon'; at: number }
  | { type: 'stop'; at: number; error: string };

/**
 * The execution state machine: pending → running → succeeded, or → failed (a step failed, or an
 * operator stopped it; nothing after it ran) → running again on retry (from the failed step) or →
 * abandoned. Steps start only in order, and only the current one. Anything else is a conflict
 * naming the state it found.
 */
export function transition(execution: ExecutionState, event: ExecutionEvent): ExecutionState {
  const refuse = (why: string): never => {
    throw new DomainError(DomainErrorCode.Conflict, `execution ${execution.id} is ${execution.status}: ${why}`);
  };
  const steps = execution.steps.map((step) => ({ ...step }));
  switch (event.type) {
    case 'start':
      if (execution.status !== 'pending') refuse('only a pending execution starts');
      return { ...execution, status: steps.length === 0 ? 'succeeded' : 'running', steps };
    case 'step-started': {
      const current = currentStep(execution);
      if (!current || current.index !== event.index) refuse(`step ${event.index} is not the step to run${current ? ` (step ${current.index} is)` : ''}`);
      const step = steps[event.index] as ExecutionStep;
      step.status = 'running';
      step.startedAt ??= event.at;
      step.error = null;
      return { ...execution, steps };
    }
    case 'step-succeeded': {
      const step = steps[event.index];
      if (execution.status !== 'running' || step?.status !== 'running') refuse(`step ${event.index} is not running`);
      (step as ExecutionStep).status = 'succeeded';
      (step as ExecutionStep).finishedAt = event.at;
      return { ...execution, status: steps.every((candidate) => candidate.status === 'succeeded') ? 'succeeded' : 'running', steps };
    }
    case 'step-failed': {
      const step = steps[event.index];
      if (execution.status !== 'running' || step?.status !== 'running') refuse(`step ${event.index} is not running`);
      Object.assign(step as ExecutionStep, { status: 'failed', finishedAt: event.at, error: event.error });
      return { ...execution, status: 'failed', steps };
    }
    case 'retry': {
      if (execution.status !== 'failed') refuse('only a failed execution is retried');
      const failed = steps.find((step) => step.status === 'failed') as ExecutionStep;
      Object.assign(failed, { status: 'pending', finishedAt: null });
      return { ...execution, status: 'running', steps };
    }
    case 'stop': {
      // An operator stops waiting for the current step (nodes that never come, an ACK that never comes):
      // it fails as if its executor had failed it, so retry and abandon work as after any failure.
      const current = currentStep(execution);
      if (!current) refuse('only a running execution is stopped');
      Object.assign(steps[(current as ExecutionStep).index] as ExecutionStep, { status: 'failed', finishedAt: event.at, error: event.error });
      return { ...execution, status: 'failed', steps };
    }
    case 'abandon':
      if (execution.status !== 'failed' && execution.status !== 'pending') refuse('only a failed or pending execution is abandoned');
      return { ...execution, status: 'abandoned', steps };
  }
}
