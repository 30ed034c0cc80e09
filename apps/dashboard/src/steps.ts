import type { Transition } from './model';
import { readVerdict } from './verdicts';

/**
 * A rollout step as people count it (from 1, as the steps list shows them, and as the reasons name
 * them). The API's stepIndex is 0-based, and one past the last step once every step is done: that
 * one reads as the last step, never as step N+1 of N.
 */
export const stepNumber = (stepIndex: number, stepCount: number): number => Math.min(stepIndex + 1, stepCount);

/**
 * The number of the step a transition is about. A passed analysis records the step the rollout
 * went on to, while its reason and verdict are about the analysis step: that one is named, as
 * routing-control's own reading does (libs/domain/src/rollouts/step-numbers.ts).
 */
export function transitionStep(transition: Pick<Transition, 'stepIndex' | 'reason'>, stepCount: number): number {
  const passed = readVerdict(transition.reason).outcome === 'passed';
  return stepNumber(passed ? Math.max(transition.stepIndex - 1, 0) : transition.stepIndex, stepCount);
}
