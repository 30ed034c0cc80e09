import { RolloutStep } from './rollout-spec';
import { RolloutEffect, RolloutState, advanceRollout, initialRolloutState } from './rollout-state-machine';
import { stepNumber, transitionStepIndex } from './step-numbers';
import { AnalysisOutcome } from './threshold-judge';

const T0 = 1_700_000_000_000;
const WINDOW_MS = 30_000;

// The rollout of the report: the analysis is step 2 of 4 (index 1).
const steps: RolloutStep[] = [
  { kind: 'setWeight', weight: 20 },
  { kind: 'analysis', windowMs: WINDOW_MS, judge: 'default', minSamples: 10, rules: [] },
  { kind: 'setWeight', weight: 50 },
  { kind: 'setWeight', weight: 100 },
];

const atAnalysis = (): RolloutState => advanceRollout(steps, initialRolloutState(T0), { kind: 'start' }, T0).state;

/** The transitions the analysis's outcome causes, the analysis's own first. */
function judged(verdict: AnalysisOutcome['verdict']): Extract<RolloutEffect, { kind: 'transitioned' }>[] {
  const { effects } = advanceRollout(steps, atAnalysis(), { kind: 'analysisResult', stepIndex: 1, outcome: { verdict, findings: ['x'] } }, T0 + WINDOW_MS);
  return effects.filter((effect) => effect.kind === 'transitioned');
}

describe(stepNumber.name, () => {
  it('counts from 1, and names the index past the last step (every step done) as the last step', () => {
    expect([0, 1, 3].map((index) => stepNumber(index))).toEqual([1, 2, 4]);
    expect([0, 3, 4].map((index) => stepNumber(index, 4))).toEqual([1, 4, 4]);
  });
});

describe(transitionStepIndex.name, () => {
  it.each(['pass', 'fail', 'marginal', 'inconclusive'] as const)('names the analysis step itself in the reason and as the step of the transition an analysis that %ss causes', (verdict) => {
    const [own] = judged(verdict);
    expect(own?.reason).toMatch(/^analysis of step 2 /);
    expect(transitionStepIndex({ stepIndex: own?.stepIndex ?? -1, reason: own?.reason ?? null })).toBe(1);
  });

  it('keeps the step a passed analysis went on to as the step of the transitions after it, up to the index past the last step', () => {
    const [own, ...after] = judged('pass');
    expect(own?.stepIndex).toBe(2);
    expect(after.map((transition) => [transition.to, transition.stepIndex, transitionStepIndex(transition)])).toEqual([
      ['progressing', 3, 3],
      ['progressing', 4, 4],
      ['promoted', 4, 4],
    ]);
    expect(after.map((transition) => stepNumber(transitionStepIndex(transition), steps.length))).toEqual([4, 4, 4]);
  });

  it('reads a pass recorded before steps were counted from 1 by its outcome, not its number', () => {
    expect(transitionStepIndex({ stepIndex: 2, reason: 'analysis of step 1 passed: judge default at 20 %' })).toBe(1);
    expect(transitionStepIndex({ stepIndex: 1, reason: 'analysis of step 1 failed: judge default at 20 %' })).toBe(1);
    expect(transitionStepIndex({ stepIndex: 2, reason: null })).toBe(2);
  });
});

describe('the reasons of a rollout, numbered as its steps are listed', () => {
  const paused: RolloutStep[] = [
    { kind: 'setWeight', weight: 20 },
    { kind: 'pause', durationMs: 1_000 },
  ];

  it('names a pause step, an elapsed pause and a held step by their number from 1', () => {
    const atPause = advanceRollout(paused, initialRolloutState(T0), { kind: 'start' }, T0).state;
    expect(atPause.reason).toBe('step 2: pause 1000 ms');
    expect(advanceRollout(paused, atPause, { kind: 'tick' }, T0 + 1_000).effects).toContainEqual(expect.objectContaining({ to: 'progressing', stepIndex: 1, reason: 'pause of step 2 elapsed' }));
    expect(advanceRollout(steps, initialRolloutState(T0), { kind: 'start' }, T0, { canaryUnavailable: 'no node' }).state.reason).toMatch(/^held before step 1 \(setWeight 20\)/);
  });
});
