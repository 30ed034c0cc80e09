import { AnalysisFigures, AnalysisOutcome, WindowFigures } from '@strata/domain';
import { ERROR_RATE_METRIC, LATENCY_METRIC, MIN_LATENCY_WINDOWS, combineAnalyses, judgeRolloutWindow } from './canary-analysis';

/** Deterministic jitter so the latency samples are not all tied. */
const jittered = (count: number, centre: number): number[] => Array.from({ length: count }, (_, index) => centre + ((index * 7) % 11) - 5);

function side(changes: Partial<WindowFigures> = {}): WindowFigures {
  return { requests: 5_000, errors: 50, latencyP99Ms: 120, latencyMeansMs: jittered(30, 40), ...changes };
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
    expect(judgeRolloutWindow(figures({ latencyMeansMs: jittered(30, 60) }), 200).verdict).toBe('fail');
  });

  it('does not fail a canary that got faster', () => {
    expect(judgeRolloutWindow(figures({ latencyMeansMs: jittered(30, 25) }), 200).verdict).toBe('pass');
  });

  it('is inconclusive, not a pass, when either side served fewer requests than the step asks', () => {
    expect(judgeRolloutWindow(figures({ requests: 150, errors: 0 }), 200).verdict).toBe('inconclusive');
    expect(judgeRolloutWindow(figures({}, { requests: 150, errors: 0 }), 200).verdict).toBe('inconclusive');
  });

  it('judges on the error rate alone with fewer latency windows than the rank test needs', () => {
    const tooFew = jittered(MIN_LATENCY_WINDOWS - 1, 90);

    expect(judgeRolloutWindow(figures({ latencyMeansMs: tooFew }), 200).verdict).toBe('pass');
    expect(judgeRolloutWindow(figures({ latencyMeansMs: tooFew, errors: 100 }), 200).verdict).toBe('fail');
    expect(judgeRolloutWindow(figures({ latencyMeansMs: [] }, { latencyMeansMs: [] }), 200).findings.find((finding) => finding.startsWith(LATENCY_METRIC))).toMatch(/insufficient|fewer|samples/i);
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
