import { AnalysisFigures, AnalysisOutcome, WindowFigures } from '@strata/domain';
import { ERROR_RATE_METRIC, LATENCY_METRIC, combineAnalyses, judgeRolloutWindow } from './canary-analysis';

/** A latency histogram of `requests` requests spread around `centre` ms (a bell over five values). */
const latencies = (centre: number, requests = 5_000): WindowFigures['latencyHistogram'] => {
  const shares = [0.1, 0.2, 0.4, 0.2, 0.1];
  return { values: [-2, -1, 0, 1, 2].map((offset) => centre + offset * centre * 0.05), counts: shares.map((share) => Math.round(share * requests)) };
};

function side(changes: Partial<WindowFigures> = {}): WindowFigures {
  return { requests: 5_000, errors: 50, latencyP99Ms: 120, latencyMeanMs: 40, latencyHistogram: latencies(40), ...changes };
}

const figures = (canary: Partial<WindowFigures>, stable: Partial<WindowFigures> = {}): AnalysisFigures => ({ canary: side(canary), stable: side(stable) });

describe(judgeRolloutWindow.name, () => {
  it('passes a canary like its stable config, naming both metrics in the findings', () => {
    const sut = judgeRolloutWindow(figures({}), 200);

    expect(sut.verdict).toBe('pass');
    expect(sut.findings[0]).toMatch(/^statistical judge: pass \(score 100\)/);
    expect(sut.findings.slice(1).map((finding) => finding.split(':')[0])).toEqual([ERROR_RATE_METRIC, LATENCY_METRIC]);
  });

  it('fails a canary with twice the error rate', () => {
    const sut = judgeRolloutWindow(figures({ errors: 100 }, { errors: 50 }), 200);

    expect(sut.verdict).toBe('fail');
    expect(sut.findings.find((finding) => finding.startsWith(ERROR_RATE_METRIC))).toMatch(/2\.00 %|0\.02/);
  });

  it('fails a canary whose latency shifted well beyond tolerance', () => {
    expect(judgeRolloutWindow(figures({ latencyHistogram: latencies(60) }), 200).verdict).toBe('fail');
  });

  it('does not fail a canary that got faster', () => {
    expect(judgeRolloutWindow(figures({ latencyHistogram: latencies(25) }), 200).verdict).toBe('pass');
  });

  it('is inconclusive, not a pass, when either side served fewer requests than the step asks', () => {
    expect(judgeRolloutWindow(figures({ requests: 150, errors: 0 }), 200).verdict).toBe('inconclusive');
    expect(judgeRolloutWindow(figures({}, { requests: 150, errors: 0 }), 200).verdict).toBe('inconclusive');
  });

  it('fails a canary 50 ms slower on a ~1 ms backend, from one window of requests', () => {
    const sut = judgeRolloutWindow(figures({ errors: 0, latencyHistogram: latencies(51, 500) }, { errors: 0, latencyHistogram: latencies(1, 4_500) }), 200);
    expect(sut.verdict).toBe('fail');
    expect(sut.findings.find((finding) => finding.startsWith(LATENCY_METRIC))).toMatch(/^latency-ms: regression: canary shift \+50/);
  });

  it('is inconclusive, never a pass, when latency was not measured on a side', () => {
    const empty = { values: [], counts: [] };
    expect(judgeRolloutWindow(figures({ latencyHistogram: empty }), 200).verdict).toBe('inconclusive');
    expect(judgeRolloutWindow(figures({}, { latencyHistogram: empty }), 200).findings.find((finding) => finding.startsWith(LATENCY_METRIC))).toMatch(/insufficient data: 0 baseline and 5000 canary samples/);
    expect(judgeRolloutWindow(figures({ latencyHistogram: empty, errors: 500 }), 200).verdict).toBe('fail');
  });

  it('passes the same latency on both sides whatever the request counts', () => {
    expect(judgeRolloutWindow(figures({ requests: 300, errors: 3, latencyHistogram: latencies(40, 300) }), 200).verdict).toBe('pass');
  });

  it('does not fail one unlucky error against a stable config with none', () => {
    expect(judgeRolloutWindow(figures({ requests: 1_000, errors: 1 }, { requests: 9_000, errors: 0 }), 200).verdict).toBe('pass');
  });
});

describe(combineAnalyses.name, () => {
  const outcome = (verdict: AnalysisOutcome['verdict']): AnalysisOutcome => ({ verdict, findings: [verdict] });

  it.each([
    [['pass', 'pass'], 'pass'],
    [['pass', 'marginal'], 'marginal'],
    [['marginal', 'inconclusive'], 'inconclusive'],
    [['inconclusive', 'fail', 'pass'], 'fail'],
  ] as [AnalysisOutcome['verdict'][], AnalysisOutcome['verdict']][])('keeps the worst of %j: %s', (verdicts, expected) => {
    const sut = combineAnalyses(verdicts.map(outcome));
    expect(sut).toEqual({ verdict: expected, findings: verdicts });
  });
});
