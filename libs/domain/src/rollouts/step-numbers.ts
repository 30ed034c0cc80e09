/**
 * How people count a rollout's steps, in every reason and on every screen: from 1, as `strata
 * rollout watch` lists them. The API's `stepIndex` stays 0-based; only texts go through here.
 */

/**
 * The number people know step `stepIndex` by. Given the number of steps, the index past the last
 * one (every step done) reads as the last step rather than as one that does not exist.
 */
export function stepNumber(stepIndex: number, stepCount?: number): number {
  return stepCount === undefined ? stepIndex + 1 : Math.min(stepIndex + 1, stepCount);
}

/** The opening of the reason a passed analysis gives its transition (rollout-state-machine.ts). */
const ANALYSIS_PASSED = /^analysis of step \d+ passed:/;

/**
 * The step a transition is about. A passed analysis records the step the rollout went on to (one
 * past the analysis) while its reason and verdict are about the analysis step, so that one is
 * named; a failed, held or inconclusive analysis stays at its step, as every other transition
 * records its own. The outcome is read from the reason, not its number: stored reasons written
 * before steps were counted from 1 are read right too.
 */
export function transitionStepIndex(transition: { stepIndex: number; reason: string | null }): number {
  return transition.reason !== null && ANALYSIS_PASSED.test(transition.reason) ? Math.max(transition.stepIndex - 1, 0) : transition.stepIndex;
}
