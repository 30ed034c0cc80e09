import { AnalysisFigures, AnalysisOutcome, WindowFigures } from '@strata/domain';
import { ERROR_RATE_METRIC, LATENCY_METRIC, binomialLowerTail, combineAnalyses, judgeRolloutWindows, underServedWindow } from './canary-analysis';

/** A latency histogram of `requests` requests spread around `centre` ms (a bell over five values). */
const latencies = (centre: number, requests: number): WindowFigures['latencyHistogram'] => {
  const shares = [0.1, 0.2, 0.4, 0.2, 0.1];
  return { values: [-2, -1, 0, 1, 2].map((offset) => centre + offset * centre * 0.05), counts: shares.map((share) => Math.round(share * requests)) };
};

interface SideTotals {
  requests: number;
  errors: number;
  latencyMs: number | null;
}

/**
 * A side's totals over an analysis spread evenly over `count` KPI windows (errors spread as evenly
 * as whole numbers allow); latencyMs null: no latency measured.
 */
function side({ requests, errors, latencyMs }: SideTotals, count: number, index: number): WindowFigures {
  const perWindow = Math.floor(requests / count);
  const windowErrors = Math.floor(((index + 1) * errors) / count) - Math.floor((index * errors) / count);
  return { requests: perWindow, errors: windowErrors, latencyP99Ms: null, latencyMeanMs: null, latencyHistogram: latencyMs === null ? { values: [], counts: [] } : latencies(latencyMs, perWindow) };
}

const DEFAULT: SideTotals = { requests: 6_000, errors: 60, latencyMs: 40 };

/** Six KPI windows of the two sides' totals. */
function windows(canary: Partial<SideTotals>, stable: Partial<SideTotals> = {}, count = 6): AnalysisFigures[] {
  return Array.from({ length: count }, (_unused, index) => ({ canary: side({ ...DEFAULT, ...canary }, count, index), stable: side({ ...DEFAULT, ...stable }, count, index) }));
}

const finding = (outcome: AnalysisOutcome, metric: string) => outcome.findings.find((line) => line.startsWith(`${metric}:`));

describe(judgeRolloutWindows.name, () => {
  it('passes a canary like its stable config, naming both metrics in the findings', () => {
    const sut = judgeRolloutWindows(windows({}), 200);

    expect(sut.verdict).toBe('pass');
    expect(sut.findings[0]).toMatch(/^statistical judge: pass/);
    expect(sut.findings.slice(1).map((line) => line.split(':')[0])).toEqual([ERROR_RATE_METRIC, LATENCY_METRIC]);
  });

  it('fails a canary with twice the error rate', () => {
    const sut = judgeRolloutWindows(windows({ errors: 120 }, { errors: 60 }), 200);

    expect(sut.verdict).toBe('fail');
    expect(finding(sut, ERROR_RATE_METRIC)).toMatch(/^error-rate: regression: canary 2\.00 % .* against 1\.00 %/);
  });

  it('fails a canary whose latency shifted well beyond tolerance', () => {
    const sut = judgeRolloutWindows(windows({ latencyMs: 60 }), 200);
    expect(sut.verdict).toBe('fail');
    expect(finding(sut, LATENCY_METRIC)).toMatch(/^latency-ms: regression: canary shift \+20(\.\d+)? ms \(\+50 %/);
  });

  it('does not fail a canary that got faster', () => {
    expect(judgeRolloutWindows(windows({ latencyMs: 25 }), 200).verdict).toBe('pass');
  });

  it('is inconclusive, not a pass, when either side served fewer requests than the step asks', () => {
    expect(judgeRolloutWindows(windows({ requests: 150, errors: 0 }), 200).verdict).toBe('inconclusive');
    const sut = judgeRolloutWindows(windows({}, { requests: 150, errors: 0 }), 200);
    expect(sut.verdict).toBe('inconclusive');
    expect(sut.findings[0]).toBe('statistical judge: insufficient-data: 150 baseline and 6000 canary requests, 200 per side required');
  });

  it('is inconclusive, not a pass, when a window shows the canary did not get the share its weight routes to it (its nodes ejected)', () => {
    // 5 % weight: ≈ 50 of 1,000 requests a window on the canary, with a few errors, until its node is ejected and the stable config serves all.
    const served = (canary: number, stable: number, errors = 0): AnalysisFigures => ({
      canary: { ...side({ requests: canary, errors, latencyMs: 40 }, 1, 0) },
      stable: { ...side({ requests: stable, errors: 0, latencyMs: 40 }, 1, 0) },
    });
    const ejected = [served(50, 950, 1), served(30, 970), served(0, 1_000), served(0, 1_000)];
    const sut = judgeRolloutWindows(ejected, 20, 5);
    expect(sut.verdict).toBe('inconclusive');
    expect(sut.findings[0]).toMatch(/^statistical judge: insufficient-data: the canary served 0 of 1000 requests in KPI window 3 of 4 at 5 % weight \(≈ 50 expected; P = .*\): its nodes were ejected/);
    // The same windows with the canary served at its share pass; a weight the windows cannot tell (0, 100) is not checked.
    expect(judgeRolloutWindows([served(50, 950), served(48, 952), served(55, 945), served(51, 949)], 20, 5).verdict).toBe('pass');
    expect(judgeRolloutWindows(ejected, 20, 0).verdict).not.toBe('inconclusive');
  });

  it('is inconclusive with no KPI window at all', () => {
    expect(judgeRolloutWindows([], 1).verdict).toBe('inconclusive');
  });

  it('fails a canary 50 ms slower on a ~1 ms backend, from a few windows of requests', () => {
    const sut = judgeRolloutWindows(windows({ errors: 0, requests: 500, latencyMs: 51 }, { errors: 0, requests: 4_500, latencyMs: 1 }, 3), 200);
    expect(sut.verdict).toBe('fail');
    expect(finding(sut, LATENCY_METRIC)).toMatch(/^latency-ms: regression: canary shift \+(49\.9|50) ms/);
  });

  it('is inconclusive, never a pass, when latency was not measured on a side, and still fails on errors', () => {
    expect(judgeRolloutWindows(windows({ latencyMs: null }), 200).verdict).toBe('inconclusive');
    expect(judgeRolloutWindows(windows({}, { latencyMs: null }), 200).findings[0]).toMatch(/insufficient-data: 6000 baseline and 6000 canary requests, 200 per side required, latency measured on both/);
    expect(judgeRolloutWindows(windows({ latencyMs: null, errors: 500 }), 200).verdict).toBe('fail');
  });

  it('passes the same latency on both sides whatever the request counts', () => {
    expect(judgeRolloutWindows(windows({ requests: 300, errors: 3 }), 200).verdict).toBe('pass');
  });

  it('does not fail one unlucky error against a stable config with none', () => {
    expect(judgeRolloutWindows(windows({ requests: 1_000, errors: 1 }, { requests: 9_000, errors: 0 }), 200).verdict).toBe('pass');
  });

  it('takes a request timed at 0 ms for a very fast one, not for malformed input', () => {
    const zero = { canary: { requests: 100, errors: 0, latencyP99Ms: 0, latencyMeanMs: 0, latencyHistogram: { values: [0, 1], counts: [50, 50] } }, stable: { requests: 100, errors: 0, latencyP99Ms: 1, latencyMeanMs: 1, latencyHistogram: { values: [0, 1], counts: [50, 50] } } };
    expect(judgeRolloutWindows([zero, zero, zero], 100).verdict).toBe('pass');
  });

  it('quotes each metric\'s always-valid p-value, below the level on the metric that failed, and gives them as judgedMetrics', () => {
    const sut = judgeRolloutWindows(windows({ errors: 120 }, { errors: 60 }), 200);
    const quoted = (metric: string) => /always-valid p [=<] ([\d.e-]+) \(fail below ([\d.e-]+)\)$/.exec(finding(sut, metric) ?? '');
    const errors = quoted(ERROR_RATE_METRIC);
    expect(Number(errors?.[1])).toBeLessThan(Number(errors?.[2]));
    expect(quoted(LATENCY_METRIC)).not.toBeNull();
    const [errorRate, latency] = sut.judgedMetrics ?? [];
    expect(errorRate).toMatchObject({ metric: ERROR_RATE_METRIC, regression: true, level: 0.006 });
    expect(errorRate?.pValue).toBeLessThan(0.006);
    expect(latency).toMatchObject({ metric: LATENCY_METRIC, regression: false, level: 0.004 });
    expect(latency?.pValue).toBeGreaterThanOrEqual(0.004);
  });

  it('gives p-values at or above the level when nothing regressed, and none for latency it could not compare', () => {
    const passed = judgeRolloutWindows(windows({}), 200);
    expect(passed.judgedMetrics?.every((metric) => metric.pValue !== null && metric.pValue >= metric.level && !metric.regression)).toBe(true);
    const unmeasured = judgeRolloutWindows(windows({ latencyMs: null }), 200);
    expect(unmeasured.judgedMetrics?.[1]).toMatchObject({ metric: LATENCY_METRIC, pValue: null });
  });

  it('fails at the first window where the evidence suffices, and says so', () => {
    const sut = judgeRolloutWindows([...windows({ errors: 1_500 }, { errors: 15 }), ...windows({}, {})], 200);
    expect(sut.verdict).toBe('fail');
    expect(sut.findings[0]).toMatch(/^statistical judge: fail \(regression: .*error rate/);
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

  it('keeps every judge\'s judged metrics, and adds none when no judge had any', () => {
    const judged = { ...outcome('fail'), judgedMetrics: [{ metric: 'error-rate', regression: true, pValue: 0.001, level: 0.006 }] };
    expect(combineAnalyses([judged, outcome('pass')]).judgedMetrics).toEqual(judged.judgedMetrics);
    expect(combineAnalyses([outcome('pass')])).not.toHaveProperty('judgedMetrics');
  });
});

describe(underServedWindow.name, () => {
  const window = (canary: number, stable: number): AnalysisFigures => ({ canary: side({ requests: canary, errors: 0, latencyMs: 40 }, 1, 0), stable: side({ requests: stable, errors: 0, latencyMs: 40 }, 1, 0) });

  it('leaves the first window alone: it may straddle the weight change', () => {
    expect(underServedWindow([window(0, 1_000), window(50, 950)], 5)).toBeUndefined();
  });

  it('tells chance from a canary that was not reached', () => {
    // 25 of 1,000 at 5 % is unlikely (P ≈ 5e-5) but not beyond the bar; 5 of 1,000 is.
    expect(underServedWindow([window(50, 950), window(25, 975)], 5)).toBeUndefined();
    expect(underServedWindow([window(50, 950), window(5, 995)], 5)).toMatch(/served 5 of 1000 requests in KPI window 2 of 2/);
    // Few requests cannot tell: 0 of 40 at 5 % happens 13 % of the time.
    expect(underServedWindow([window(2, 38), window(0, 40)], 5)).toBeUndefined();
  });
});

describe(binomialLowerTail.name, () => {
  it('matches the binomial distribution', () => {
    expect(binomialLowerTail(0, 40, 0.05)).toBeCloseTo(0.95 ** 40, 12);
    expect(binomialLowerTail(1, 10, 0.5)).toBeCloseTo(11 / 1024, 12);
    expect(binomialLowerTail(5, 10, 0.5)).toBeCloseTo(638 / 1024, 12);
    expect(binomialLowerTail(10, 10, 0.3)).toBe(1);
    expect(binomialLowerTail(0, 1_000, 0.05)).toBeLessThan(1e-20);
  });
});
