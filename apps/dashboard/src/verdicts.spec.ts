import { readVerdict } from './verdicts';

describe(readVerdict.name, () => {
  it('reads a failed analysis: its findings in order, the regressions marked, the judged windows kept whole', () => {
    const reason =
      'analysis of step 3 failed: judge default at 50 %; judged KPI windows: canary 2026-12-06T10:00:00.000Z–2026-12-06T10:00:40.000Z 34 errors in 310 requests; stable 2026-12-06T10:00:00.000Z–2026-12-06T10:00:40.000Z 1 errors in 300 requests; statistical judge: fail (regression: error rate 11 % against 0.3 %); error-rate: regression: canary 10.97 % of 310 requests against 0.33 % of 300 (34 canary errors, sequential boundary 9); latency-ms: no regression shown: canary shift +0.2 ms';
    const sut = readVerdict(reason);
    expect(sut.outcome).toBe('failed');
    expect(sut.findings.map((finding) => [finding.label, finding.regression])).toEqual([
      ['judge default at 50 %', false],
      ['judged KPI windows', false],
      ['statistical judge', true],
      ['error-rate', true],
      ['latency-ms', false],
    ]);
    expect(sut.findings[1]?.text).toContain('stable 2026-12-06T10:00:00.000Z');
  });

  it('picks out every p-value a judge quotes', () => {
    const sut = readVerdict('analysis of step 1 passed: error-rate: no regression shown: p = 0.41 (Holm-adjusted 0.82); latency-ms: no regression shown: p = 3.2e-5');
    expect(sut.outcome).toBe('passed');
    expect(sut.findings.map((finding) => finding.pValues)).toEqual([['p = 0.41'], ['p = 3.2e-5']]);
  });

  it('takes each judged metric\'s p-value and verdict from the recorded judgedMetrics, with the level a fail needs', () => {
    const reason = 'analysis of step 1 failed: statistical judge: fail (regression: error rate …); error-rate: regression: canary 10.97 % …, always-valid p = 0.0012 (fail below 0.006); latency-ms: no regression shown: canary shift +0.2 ms …, always-valid p = 0.41 (fail below 0.004)';
    const judged = [
      { metric: 'error-rate', regression: true, pValue: 0.00123, level: 0.006 },
      { metric: 'latency-ms', regression: false, pValue: 0, level: 0.004 },
    ];
    const sut = readVerdict(reason, judged);
    expect(sut.findings.map((finding) => [finding.label, finding.regression, finding.pValues])).toEqual([
      ['statistical judge', true, []],
      ['error-rate', true, ['p = 0.0012 (fail below 0.006)']],
      ['latency-ms', false, ['p < 1e-15 (fail below 0.004)']],
    ]);
    // Transitions recorded before the judge gave p-values: the text's, if any.
    expect(readVerdict(reason).findings[1]?.pValues).toEqual(['p = 0.0012']);
  });

  it('reads a held analysis and a trigger, and nothing from a reason that is no verdict', () => {
    expect(readVerdict('analysis of step 1 marginal, held for an operator: statistical judge: insufficient-data: 3 baseline').outcome).toBe('held');
    expect(readVerdict('rollback trigger "judge == Fail" held: error-rate: regression: x').outcome).toBe('aborted');
    expect(readVerdict('created by operator')).toEqual({ outcome: null, findings: [] });
    expect(readVerdict(null)).toEqual({ outcome: null, findings: [] });
  });
});
