import { formatPValue, latestVerdicts, rolloutFrame, verdictLines } from './frames';
import { Item } from './kinds';
import { verdictRows } from './kinds/routing-kinds';

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
  reason: 'analysis of step 1 failed: …',
};

const transition = (changes: Item): Item => ({ from: 'progressing', to: 'progressing', stepIndex: 1, canaryWeight: 20, actor: 'system', at: '2026-12-01T10:00:00.000Z', reason: 'canary weight set to 20', judgedMetrics: null, ...changes });

const judged = transition({
  to: 'aborted',
  at: '2026-12-01T10:00:30.000Z',
  reason: 'analysis of step 1 failed: judge default at 20 %; statistical judge: fail (…)',
  judgedMetrics: [
    { metric: 'error-rate', regression: true, pValue: 0.00123, level: 0.006 },
    { metric: 'latency-ms', regression: false, pValue: 0.41, level: 0.004 },
  ],
});

describe(rolloutFrame.name, () => {
  it('follows an analysis transition with each metric verdict and its always-valid p-value, and no other transition', () => {
    const sut = rolloutFrame(rollout, [transition({ from: 'pending' }), judged]);
    expect(sut).toContain('10:00:30Z progressing -> aborted step 2 20% by system: analysis of step 1 failed');
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
