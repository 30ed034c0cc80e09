import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { RolloutStep } from './rollout-spec';
import { stepNumber } from './step-numbers';
import { AnalysisOutcome, JudgedMetric } from './threshold-judge';

export type RolloutPhase = 'pending' | 'progressing' | 'paused' | 'promoted' | 'aborted' | 'rolled-back';

/** Phases after which nothing moves a rollout any more. */
export const FINAL_ROLLOUT_PHASES: readonly RolloutPhase[] = ['promoted', 'rolled-back'];

export type RolloutPause = { cause: 'manual'; resumeAt: null } | { cause: 'step'; resumeAt: number | null };

export interface RolloutState {
  phase: RolloutPhase;
  /** The step being run; `steps.length` once every step is done. */
  stepIndex: number;
  /** Percentage of weighted traffic on the canary. */
  canaryWeight: number;
  /** When the current step began (epoch ms): analysis windows and timed pauses count from it. */
  stepStartedAt: number;
  pause: RolloutPause | null;
  /**
   * Analyses of the current step that had too few samples. Each one extends the step's window by
   * its length (the data already gathered still counts) until MAX_INCONCLUSIVE_ANALYSES.
   */
  inconclusiveAnalyses: number;
  /** Why the last transition happened (an abort's reason stays here). */
  reason: string | null;
}

export type RolloutInput =
  | { kind: 'start' }
  | { kind: 'pause' }
  | { kind: 'resume' }
  /** `full`: skip every remaining step; otherwise end the current step (a pause, an analysis) and go on. */
  | { kind: 'promote'; full: boolean }
  | { kind: 'abort'; reason: string }
  /** A promoted rollout taken back: all traffic to the stable config it replaced (`kubectl argo rollouts undo`). */
  | { kind: 'undo'; reason: string }
  /** The routing without the canary has been pushed: the abort is complete. */
  | { kind: 'confirmRolledBack' }
  | { kind: 'tick' }
  | { kind: 'analysisResult'; stepIndex: number; outcome: AnalysisOutcome };

export type RolloutEffect =
  | { kind: 'setCanaryWeight'; weight: number }
  /** The stable config the canary replaced takes all traffic again (an undone promotion). */
  | { kind: 'restoreBaseline' }
  /** The window of an analysis step has elapsed: judge it and answer with `analysisResult`. */
  | { kind: 'analysisDue'; stepIndex: number; windowStart: number; windowEnd: number }
  /** A phase change, or entering the next step (then `from` equals `to`); `judgedMetrics` on the one an analysis caused. */
  | { kind: 'transitioned'; from: RolloutPhase; to: RolloutPhase; stepIndex: number; canaryWeight: number; reason: string; judgedMetrics?: JudgedMetric[] };

/**
 * What the caller knows of the world when it advances a rollout. `canaryUnavailable`: why the
 * canary may not take more traffic now (no healthy or available node); a step that would raise its
 * weight, or promote it, then holds the rollout (paused for an operator, at that step) instead.
 */
export interface RolloutContext {
  canaryUnavailable?: string;
}

export interface RolloutTransition {
  state: RolloutState;
  effects: RolloutEffect[];
}

/** Inconclusive analyses (too few samples) tolerated before the step is treated as failed. */
export const MAX_INCONCLUSIVE_ANALYSES = 3;

export function initialRolloutState(now: number): RolloutState {
  return { phase: 'pending', stepIndex: 0, canaryWeight: 0, stepStartedAt: now, pause: null, inconclusiveAnalyses: 0, reason: null };
}

export function describeStep(step: RolloutStep | undefined): string {
  if (!step) {
    return 'end of steps';
  }
  switch (step.kind) {
    case 'setWeight':
      return `setWeight ${step.weight}`;
    case 'pause':
      return step.durationMs === undefined ? 'pause until promoted' : `pause ${step.durationMs} ms`;
    case 'analysis':
      return `analysis over ${step.windowMs} ms by judge ${step.judge}`;
  }
}

function refuse(state: RolloutState, action: string): DomainError {
  return new DomainError(DomainErrorCode.Conflict, `cannot ${action} a rollout that is ${state.phase}`);
}

/**
 * The rollout state machine: `pending → progressing ⇄ paused → promoted`, or `→ aborted →
 * rolled-back`. Pure: the caller persists the state and carries out the effects (routing weights,
 * analyses, events). An input the current phase does not allow is refused with a Conflict naming
 * the phase; ticks and stale analysis results never are, since they race with commands.
 */
export function advanceRollout(steps: readonly RolloutStep[], state: RolloutState, input: RolloutInput, now: number, context: RolloutContext = {}): RolloutTransition {
  const effects: RolloutEffect[] = [];
  const next = apply(steps, state, input, now, effects, context);
  return { state: next, effects };
}

function apply(steps: readonly RolloutStep[], state: RolloutState, input: RolloutInput, now: number, effects: RolloutEffect[], context: RolloutContext): RolloutState {
  switch (input.kind) {
    case 'start':
      if (state.phase !== 'pending') {
        throw refuse(state, 'start');
      }
      return runSteps(steps, moveTo(state, 'progressing', { stepIndex: 0, stepStartedAt: now }, 'started', effects), now, effects, context);
    case 'pause':
      if (state.phase === 'progressing') {
        return moveTo(state, 'paused', { pause: { cause: 'manual', resumeAt: null } }, 'paused by an operator', effects);
      }
      if (state.phase === 'paused' && state.pause?.cause === 'step') {
        // Held by an operator during a timed pause step: the timer must no longer release it.
        return moveTo(state, 'paused', { pause: { cause: 'manual', resumeAt: null } }, 'paused by an operator', effects);
      }
      throw refuse(state, state.phase === 'paused' ? 'pause again' : 'pause');
    case 'resume':
      if (state.phase !== 'paused') {
        throw refuse(state, 'resume');
      }
      if (state.pause?.cause === 'step') {
        throw new DomainError(DomainErrorCode.Conflict, `cannot resume a rollout that is paused by its step ${stepNumber(state.stepIndex)} (${describeStep(steps[state.stepIndex])}); promote it to go on`);
      }
      // The interrupted step starts over, so an analysis window never straddles a pause.
      return runSteps(steps, moveTo(state, 'progressing', { pause: null, stepStartedAt: now, inconclusiveAnalyses: 0 }, 'resumed by an operator', effects), now, effects, context);
    case 'promote':
      if (state.phase !== 'progressing' && state.phase !== 'paused') {
        throw refuse(state, 'promote');
      }
      if (input.full) {
        return context.canaryUnavailable === undefined ? promote(state, 'fully promoted by an operator', effects) : hold(state, steps.length, 'a promotion', context.canaryUnavailable, effects);
      }
      return runSteps(steps, enterStep(state, state.stepIndex + 1, now, 'step promoted by an operator', effects, { pause: null }), now, effects, context);
    case 'abort':
      if (state.phase !== 'pending' && state.phase !== 'progressing' && state.phase !== 'paused') {
        throw refuse(state, 'abort');
      }
      return abort(state, input.reason, effects);
    case 'undo':
      if (state.phase !== 'promoted') {
        throw refuse(state, 'undo');
      }
      effects.push({ kind: 'restoreBaseline' });
      return moveTo({ ...state, canaryWeight: 0 }, 'rolled-back', {}, `promotion undone: ${input.reason}`, effects);
    case 'confirmRolledBack':
      if (state.phase !== 'aborted') {
        throw refuse(state, 'confirm the rollback of');
      }
      return moveTo(state, 'rolled-back', {}, 'the stable config serves all traffic again', effects);
    case 'tick':
      return tick(steps, state, now, effects, context);
    case 'analysisResult':
      return analysisResult(steps, state, input.stepIndex, input.outcome, now, effects, context);
  }
}

function tick(steps: readonly RolloutStep[], state: RolloutState, now: number, effects: RolloutEffect[], context: RolloutContext): RolloutState {
  if (state.phase === 'progressing') {
    return runSteps(steps, state, now, effects, context);
  }
  if (state.phase === 'paused' && state.pause?.cause === 'step' && state.pause.resumeAt !== null && now >= state.pause.resumeAt) {
    const reason = `pause of step ${stepNumber(state.stepIndex)} elapsed`;
    const resumed = moveTo(state, 'progressing', { pause: null }, reason, effects);
    return runSteps(steps, enterStep(resumed, state.stepIndex + 1, now, reason, effects), now, effects, context);
  }
  return state;
}

function analysisResult(steps: readonly RolloutStep[], state: RolloutState, stepIndex: number, outcome: AnalysisOutcome, now: number, effects: RolloutEffect[], context: RolloutContext): RolloutState {
  const step = steps[state.stepIndex];
  // A result for another step, or arriving after a pause or an abort, judged a window that no longer counts.
  if (state.phase !== 'progressing' || stepIndex !== state.stepIndex || step?.kind !== 'analysis' || now < analysisWindowEnd(state, step)) {
    return state;
  }
  const start = effects.length;
  const next = applyAnalysis(steps, state, step, stepIndex, outcome, now, effects, context);
  // The analysis's own transition is the first it caused (a pass may run further steps after it).
  const own = effects.findIndex((effect, index) => index >= start && effect.kind === 'transitioned');
  const judged = effects[own];
  if (outcome.judgedMetrics !== undefined && judged?.kind === 'transitioned') effects[own] = { ...judged, judgedMetrics: outcome.judgedMetrics };
  return next;
}

function applyAnalysis(
  steps: readonly RolloutStep[],
  state: RolloutState,
  step: Extract<RolloutStep, { kind: 'analysis' }>,
  stepIndex: number,
  outcome: AnalysisOutcome,
  now: number,
  effects: RolloutEffect[],
  context: RolloutContext,
): RolloutState {
  const findings = outcome.findings.join('; ');
  // Named as people count steps; transitionStepIndex (step-numbers.ts) reads the pass's opening back.
  const analysis = `analysis of step ${stepNumber(stepIndex)}`;
  switch (outcome.verdict) {
    case 'pass':
      return runSteps(steps, enterStep(state, state.stepIndex + 1, now, `${analysis} passed: ${findings}`, effects), now, effects, context);
    case 'fail':
      return abort(state, `${analysis} failed: ${findings}`, effects);
    case 'marginal':
      // Neither a pass nor a fail: an operator decides. Promote accepts the step, resume analyses it again, abort rolls back.
      return moveTo(state, 'paused', { pause: { cause: 'manual', resumeAt: null } }, `${analysis} marginal, held for an operator: ${findings}`, effects);
    case 'inconclusive': {
      const inconclusiveAnalyses = state.inconclusiveAnalyses + 1;
      if (inconclusiveAnalyses >= MAX_INCONCLUSIVE_ANALYSES) {
        return abort(state, `${analysis} was inconclusive ${inconclusiveAnalyses} times: ${findings}`, effects);
      }
      // Never a pass: the window grows by its length and is judged again with all its data.
      const reason = `${analysis} inconclusive (${inconclusiveAnalyses} of ${MAX_INCONCLUSIVE_ANALYSES}), window extended to ${(step.windowMs * (inconclusiveAnalyses + 1)) / 1000} s: ${findings}`;
      effects.push({ kind: 'transitioned', from: 'progressing', to: 'progressing', stepIndex, canaryWeight: state.canaryWeight, reason });
      return { ...state, inconclusiveAnalyses, reason };
    }
  }
}

/** Runs steps from the current one until one has to wait (a pause, an analysis window) or all are done. */
function runSteps(steps: readonly RolloutStep[], start: RolloutState, now: number, effects: RolloutEffect[], context: RolloutContext): RolloutState {
  let state = start;
  while (state.phase === 'progressing') {
    const step = steps[state.stepIndex];
    if (!step) {
      return context.canaryUnavailable === undefined ? promote(state, 'every step completed', effects) : hold(state, state.stepIndex, 'the promotion', context.canaryUnavailable, effects);
    }
    switch (step.kind) {
      case 'setWeight':
        if (step.weight > state.canaryWeight && context.canaryUnavailable !== undefined) {
          return hold(state, state.stepIndex, `step ${stepNumber(state.stepIndex)} (${describeStep(step)})`, context.canaryUnavailable, effects);
        }
        state = setWeight(state, step.weight, effects);
        state = enterStep(state, state.stepIndex + 1, now, `canary weight set to ${step.weight}`, effects);
        break;
      case 'pause': {
        const resumeAt = step.durationMs === undefined ? null : now + step.durationMs;
        return moveTo(state, 'paused', { pause: { cause: 'step', resumeAt } }, `step ${stepNumber(state.stepIndex)}: ${describeStep(step)}`, effects);
      }
      case 'analysis': {
        const windowEnd = analysisWindowEnd(state, step);
        if (now >= windowEnd) {
          effects.push({ kind: 'analysisDue', stepIndex: state.stepIndex, windowStart: state.stepStartedAt, windowEnd });
        }
        return state;
      }
    }
  }
  return state;
}

/** Where the current analysis window ends: its length once, plus once more per inconclusive analysis. */
function analysisWindowEnd(state: RolloutState, step: Extract<RolloutStep, { kind: 'analysis' }>): number {
  return state.stepStartedAt + step.windowMs * (state.inconclusiveAnalyses + 1);
}

/**
 * Paused for an operator before a step that would give the canary more traffic while it cannot take
 * it: resume runs that step again (held again if still so), abort rolls back.
 */
function hold(state: RolloutState, stepIndex: number, what: string, why: string, effects: RolloutEffect[]): RolloutState {
  return moveTo(state, 'paused', { stepIndex, pause: { cause: 'manual', resumeAt: null } }, `held before ${what}: ${why}; resume once it has an available node, or abort`, effects);
}

function setWeight(state: RolloutState, weight: number, effects: RolloutEffect[]): RolloutState {
  if (weight !== state.canaryWeight) {
    effects.push({ kind: 'setCanaryWeight', weight });
  }
  return { ...state, canaryWeight: weight };
}

function enterStep(state: RolloutState, stepIndex: number, now: number, reason: string, effects: RolloutEffect[], changes: Partial<RolloutState> = {}): RolloutState {
  const phase = changes.pause === null && state.phase === 'paused' ? 'progressing' : state.phase;
  effects.push({ kind: 'transitioned', from: state.phase, to: phase, stepIndex, canaryWeight: state.canaryWeight, reason });
  return { ...state, ...changes, phase, stepIndex, stepStartedAt: now, inconclusiveAnalyses: 0, reason };
}

function promote(state: RolloutState, reason: string, effects: RolloutEffect[]): RolloutState {
  const full = setWeight(state, 100, effects);
  return moveTo(full, 'promoted', { pause: null }, reason, effects);
}

function abort(state: RolloutState, reason: string, effects: RolloutEffect[]): RolloutState {
  const drained = setWeight(state, 0, effects);
  return moveTo(drained, 'aborted', { pause: null }, reason, effects);
}

function moveTo(state: RolloutState, phase: RolloutPhase, changes: Partial<RolloutState>, reason: string, effects: RolloutEffect[]): RolloutState {
  const next = { ...state, ...changes, phase, reason };
  effects.push({ kind: 'transitioned', from: state.phase, to: phase, stepIndex: next.stepIndex, canaryWeight: next.canaryWeight, reason });
  return next;
}
