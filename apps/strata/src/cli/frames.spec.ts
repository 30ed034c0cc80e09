import { formatPValue, latestVerdicts, rolloutFrame, verdictLines } from './frames';
import { Item } from './kinds';
import { rolloutStep, verdictRows } from './kinds/routing-kinds';

const rollout: Item = {
  id: 'r-1',
  name: 'checkout-canary',
  stack: 'shop',
  environment: 'production',
  versionGroup: 'shop-1.1.0',
  baselineConfig: 'shop-1.0.0',
  phase: 'aborted',
  stepIndex: 1,
  steps: ['setWeight 20', 'analysis over 30000 ms by judge default', 'setWeight 100'],
  canaryWeight: 0,
  reason: 'analysis of step 2 failed: …',
};

const transition = (changes: Item): Item => ({ from: 'progressing', to: 'progressing', stepIndex: 1, canaryWeight: 20, actor: 'system', at: '2026-12-01T10:00:00.000Z', reason: 'canary weight set to 20', judgedMetrics: null, ...changes });

const judged = transition({
  to: 'aborted',
  at: '2026-12-01T10:00:30.000Z',
  reason: 'analysis of step 2 failed: judge default at 20 %; statistical judge: fail (…)',
  judgedMetrics: [
    { metric: 'error-rate', regression: true, pValue: 0.00123, level: 0.006 },
    { metric: 'latency-ms', regression: false, pValue: 0.41, level: 0.004 },
  ],
});

describe(rolloutFrame.name, () => {
  it('follows an analysis transition with each metric verdict and its always-valid p-value, and no other transition', () => {
    const sut = rolloutFrame(rollout, [transition({ from: 'pending' }), judged]);
    expect(sut).toContain('10:00:30Z progressing -> aborted step 2 20% by system: analysis of step 2 failed');
    expect(sut).toContain('\n      error-rate: REGRESSION, always-valid p = 0.0012 (fail below 0.006)\n      latency-ms: no regression shown, always-valid p = 0.41 (fail below 0.004)\n');
    expect(sut.match(/always-valid p/g)).toHaveLength(2);
  });

  it('says a metric was not tested rather than quoting a p-value it has not', () => {
    expect(verdictLines(transition({ judgedMetrics: [{ metric: 'latency-ms', regression: false, pValue: null, level: 0.004 }] }))).toEqual(['latency-ms: no regression shown, not tested']);
  });
});

describe(formatPValue.name, () => {
  it.each([
    [0.41, 'p = 0.41'],
    [0.00123, 'p = 0.0012'],
    [3.2e-7, 'p = 3.2e-7'],
    [0, 'p < 1e-15'],
    [1, 'p = 1'],
  ])('%d → %s', (pValue, expected) => expect(formatPValue(pValue)).toBe(expected));
});

describe(latestVerdicts.name, () => {
  it('shows the last analysis with verdicts, or nothing before any', () => {
    expect(latestVerdicts([transition({})], 3)).toBe('');
    expect(latestVerdicts([judged, transition({ to: 'rolled-back', from: 'aborted' })], 3)).toBe(
      'latest analysis: step 2 at 10:00:30Z, progressing -> aborted\n  error-rate: REGRESSION, always-valid p = 0.0012 (fail below 0.006)\n  latency-ms: no regression shown, always-valid p = 0.41 (fail below 0.004)\n',
    );
  });
});

describe(verdictRows.name, () => {
  it('gives describe one row per judged metric per analysis, with the figures as numbers', () => {
    expect(verdictRows([transition({}), judged])).toEqual([
      { at: '2026-12-01T10:00:30.000Z', step: 2, to: 'aborted', metric: 'error-rate', verdict: 'regression', pValue: 0.00123, failBelow: 0.006 },
      { at: '2026-12-01T10:00:30.000Z', step: 2, to: 'aborted', metric: 'latency-ms', verdict: 'no regression shown', pValue: 0.41, failBelow: 0.004 },
    ]);
  });
});

describe('step numbers of a rollout whose analysis is step 2 of 4', () => {
  const fourSteps = ['setWeight 20', 'analysis over 30000 ms by judge default', 'setWeight 50', 'setWeight 100'];
  const metrics = [{ metric: 'error-rate', regression: false, pValue: 0.41, level: 0.006 }];
  // A pass records the step it went on to (index 2); its reason and verdicts are about the analysis (index 1).
  const passed = transition({ stepIndex: 2, at: '2026-12-01T10:00:30.000Z', reason: 'analysis of step 2 passed: judge default at 20 %', judgedMetrics: metrics });
  const promoted = transition({ to: 'promoted', stepIndex: 4, canaryWeight: 100, at: '2026-12-01T10:00:31.000Z', reason: 'every step completed' });
  const done: Item = { ...rollout, phase: 'promoted', stepIndex: 4, steps: fourSteps, canaryWeight: 100, reason: 'every step completed' };

  it('names the analysis step, as the steps list does, in the transition, the latest analysis and the verdict rows', () => {
    const sut = rolloutFrame(done, [passed, promoted]);
    expect(sut).toContain('done 2. analysis over 30000 ms');
    expect(sut).toContain('10:00:30Z progressing -> progressing step 2 20% by system: analysis of step 2 passed');
    expect(latestVerdicts([passed, promoted], 4)).toMatch(/^latest analysis: step 2 at 10:00:30Z/);
    expect(verdictRows([passed]).map((row) => row['step'])).toEqual([2]);
  });

  it('shows the index past the last step as the last step, never as step 5 of 4', () => {
    const sut = rolloutFrame(done, [passed, promoted]);
    expect(sut).toContain('phase promoted, step 4/4,');
    expect(sut).toContain('progressing -> promoted step 4 100%');
    expect(sut).not.toMatch(/step 5/);
    expect(rolloutStep(done)).toBe('4/4');
  });
});
