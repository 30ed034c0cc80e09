import { AnalysisFigures, WindowFigures, judgeByThresholds } from './threshold-judge';

function figures(canary: Partial<WindowFigures>, stable: Partial<WindowFigures> = {}): AnalysisFigures {
  return { canary: { requests: 1_000, errors: 0, latencyP99Ms: 100, latencyMeanMs: null, latencyHistogram: { values: [], counts: [] }, ...canary }, stable: { requests: 10_000, errors: 0, latencyP99Ms: 100, latencyMeanMs: null, latencyHistogram: { values: [], counts: [] }, ...stable } };
}

describe(judgeByThresholds.name, () => {
  const sut = judgeByThresholds;

  it('is inconclusive with fewer canary requests than the minimum, whatever the errors', () => {
    const outcome = sut([{ metric: 'errorRate', max: 0.01 }], 200, figures({ requests: 199, errors: 199 }));
    expect(outcome.verdict).toBe('inconclusive');
    expect(outcome.findings[0]).toContain('199 request(s), fewer than the 200');
  });

  it('fails a canary above an absolute maximum', () => {
    expect(sut([{ metric: 'errorRate', max: 0.01 }], 100, figures({ errors: 20 })).verdict).toBe('fail');
    expect(sut([{ metric: 'errorRate', max: 0.01 }], 100, figures({ errors: 10 })).verdict).toBe('pass');
  });

  it('fails a canary above the ratio to stable only when it is also above the floor', () => {
    const rule = { metric: 'errorRate' as const, maxRatioToStable: 2, ratioFloor: 0.01 };
    // stable 0.1 %, canary 0.5 %: five times worse but below the 1 % floor.
    expect(sut([rule], 100, figures({ errors: 5 }, { errors: 10 })).verdict).toBe('pass');
    // stable 1 %, canary 3 %: above the floor and above twice the stable.
    expect(sut([rule], 100, figures({ errors: 30 }, { errors: 100 })).verdict).toBe('fail');
    // stable 2 %, canary 3 %: above the floor, within twice the stable.
    expect(sut([rule], 100, figures({ errors: 30 }, { errors: 200 })).verdict).toBe('pass');
  });

  it('compares latency p99 and reports every rule', () => {
    const outcome = sut(
      [
        { metric: 'latencyP99Ms', maxRatioToStable: 1.5 },
        { metric: 'errorRate', max: 0.5 },
      ],
      100,
      figures({ latencyP99Ms: 400 }, { latencyP99Ms: 200 }),
    );
    expect(outcome.verdict).toBe('fail');
    expect(outcome.findings).toHaveLength(2);
    expect(outcome.findings[0]).toContain('above 1.5 × the stable 200');
  });

  it('does not fail a rule without a canary measurement', () => {
    expect(sut([{ metric: 'latencyP99Ms', max: 10 }], 100, figures({ latencyP99Ms: null })).verdict).toBe('pass');
  });
});
