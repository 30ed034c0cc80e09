import { stepNumber, transitionStep } from './steps';

// A rollout of [setWeight 20, analysis, setWeight 50, setWeight 100]: the analysis is step 2 of 4.
const STEPS = 4;

describe(transitionStep.name, () => {
  it('names the analysis step on the transition a passed analysis caused, though it records the step it went on to', () => {
    expect(transitionStep({ stepIndex: 2, reason: 'analysis of step 2 passed: judge default at 20 %' }, STEPS)).toBe(2);
  });

  it('names the step a failed or held analysis stays at, and the step any other transition records', () => {
    expect(transitionStep({ stepIndex: 1, reason: 'analysis of step 2 failed: judge default at 20 %' }, STEPS)).toBe(2);
    expect(transitionStep({ stepIndex: 1, reason: 'analysis of step 2 marginal, held for an operator: score 80' }, STEPS)).toBe(2);
    expect(transitionStep({ stepIndex: 3, reason: 'canary weight set to 50' }, STEPS)).toBe(4);
  });

  it('shows the index past the last step (every step done) as the last step, never step 5 of 4', () => {
    expect(transitionStep({ stepIndex: 4, reason: 'every step completed' }, STEPS)).toBe(4);
    expect(stepNumber(4, STEPS)).toBe(4);
    expect(stepNumber(0, STEPS)).toBe(1);
  });
});
