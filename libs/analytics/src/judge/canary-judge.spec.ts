import { CanaryComparison, JudgeInputError, judgeCanary, MetricJudgement } from './canary-judge';
import { holmAdjust } from './holm';
import { JudgeConfigError, JudgeConfigInput, MetricConfigInput } from './judge-config';
import { SeededRandom } from './seeded-random';

const latency = (overrides: Partial<MetricConfigInput> = {}): MetricConfigInput => ({ name: 'latency', kind: 'continuous', ...overrides });
const errorRate = (overrides: Partial<MetricConfigInput> = {}): MetricConfigInput => ({ name: 'error-rate', kind: 'proportion', ...overrides });
const oneGroup = (...metrics: MetricConfigInput[]): JudgeConfigInput => ({ groups: [{ name: 'service', weight: 1, metrics }] });

function metricOf(verdict: ReturnType<typeof judgeCanary>, name: string): MetricJudgement {
  const metric = verdict.metrics.find((judgement) => judgement.name === name);
  if (!metric) throw new Error(`no judgement for ${name}`);
  return metric;
}

/** 300 lognormal latencies per side around a 100 ms median, the canary's scaled by `factor`. */
function latencies(seed: number, factor: number): CanaryComparison {
  const random = new SeededRandom(seed);
  return { baseline: { latency: random.lognormal(300, 100, 0.4) }, canary: { latency: random.lognormal(300, 100 * factor, 0.4) } };
}

describe(judgeCanary.name, () => {
  describe('a continuous metric', () => {
    it('passes a canary drawn from the same distribution, with every figure behind it', () => {
      const sut = judgeCanary(oneGroup(latency()), latencies(1, 1));
      expect(sut).toMatchObject({ verdict: 'pass', score: 100, insufficientShare: 0, confidence: 0.98, multipleComparisons: 'holm' });
      const metric = metricOf(sut, 'latency');
      expect(metric).toMatchObject({ kind: 'continuous', group: 'service', test: 'mann-whitney-normal', classification: 'pass', regression: false, weight: 1 });
      expect(metric.pValue).toBeGreaterThan(0.02);
      expect(metric.kind === 'continuous' && [metric.baseline.count, metric.canary.count]).toEqual([300, 300]);
      expect(metric.interval!.lower).toBeLessThan(0);
      expect(metric.interval!.upper).toBeGreaterThan(0);
      expect(metric.reason).toMatch(/^no significant difference: canary shift [-+]?[\d.]+ \(.* of the baseline median [\d.]+\), 98 % interval \[.*\], p = [\d.]+ \(Holm-adjusted [\d.]+\) ≥ 0\.02$/);
    });

    it('fails a canary 30 % slower: significant, beyond the 10 % tolerance, in the bad direction', () => {
      const sut = judgeCanary(oneGroup(latency()), latencies(2, 1.3));
      expect(sut.verdict).toBe('fail');
      expect(sut.score).toBe(0);
      const metric = metricOf(sut, 'latency');
      expect(metric).toMatchObject({ classification: 'high', regression: true });
      expect(metric.pValue).toBeLessThan(1e-6);
      expect(metric.relativeEffect).toBeGreaterThan(0.2);
      expect(metric.relativeEffect).toBeLessThan(0.4);
      expect(metric.effect).toBeCloseTo(metric.relativeEffect! * (metric.kind === 'continuous' ? metric.baseline.median! : Number.NaN), 9);
      expect(metric.interval!.lower).toBeGreaterThan(0);
      expect(metric.reason).toMatch(/^regression: canary shift \+[\d.]+ .*beyond the tolerance \(10 % of the baseline median\)$/);
      expect(sut.reasons[0]).toBe('score 0 (pass ≥ 95, marginal ≥ 75): 0 of 1 tested metrics without regression');
      expect(sut.reasons[1]).toBe(`latency: ${metric.reason}`);
    });

    it('passes a significant shift that stays within tolerance', () => {
      const sut = judgeCanary(oneGroup(latency({ tolerance: 0.5 })), latencies(2, 1.3));
      expect(sut.verdict).toBe('pass');
      expect(metricOf(sut, 'latency')).toMatchObject({ classification: 'pass', regression: false });
      expect(metricOf(sut, 'latency').reason).toMatch(/^within tolerance: .* but not beyond the tolerance \(50 % of the baseline median\)$/);
    });

    it('applies the absolute tolerance on top of the relative one', () => {
      const sut = judgeCanary(oneGroup(latency({ absoluteTolerance: 100 })), latencies(2, 1.3));
      expect(metricOf(sut, 'latency')).toMatchObject({ classification: 'pass', regression: false });
      expect(metricOf(sut, 'latency').reason).toContain('the tolerance (10 % of the baseline median and 100)');
    });

    it('classifies a faster canary as low, which is no regression when only an increase is bad', () => {
      const sut = judgeCanary(oneGroup(latency()), latencies(3, 0.7));
      expect(sut.verdict).toBe('pass');
      expect(metricOf(sut, 'latency')).toMatchObject({ classification: 'low', regression: false });
      expect(metricOf(sut, 'latency').reason).toMatch(/^improvement, not a regression: .*; only an increase is bad$/);
    });

    it.each([
      { direction: 'decrease' as const, factor: 0.7, regression: true },
      { direction: 'decrease' as const, factor: 1.3, regression: false },
      { direction: 'either' as const, factor: 0.7, regression: true },
      { direction: 'either' as const, factor: 1.3, regression: true },
    ])('with direction $direction a canary scaled by $factor is a regression: $regression', ({ direction, factor, regression }) => {
      const sut = judgeCanary(oneGroup(latency({ direction })), latencies(4, factor));
      expect(metricOf(sut, 'latency').regression).toBe(regression);
      expect(sut.verdict).toBe(regression ? 'fail' : 'pass');
    });

    it('uses the exact test below 50 samples per side and reports its medians', () => {
      const sut = judgeCanary(oneGroup(latency({ minimumSamples: 5 })), { baseline: { latency: [1, 2, 3, 4, 5] }, canary: { latency: [6, 7, 8, 9, 10] } });
      const metric = metricOf(sut, 'latency');
      // 5 vs 5 fully separated: p = 2 / C(10, 5) = 2/252; shift = median of the differences = 5.
      expect(metric).toMatchObject({ test: 'mann-whitney-exact', effect: 5, relativeEffect: 5 / 3, classification: 'high', regression: true });
      expect(metric.pValue).toBeCloseTo(2 / 252, 12);
      expect(metric.kind === 'continuous' && [metric.baseline.median, metric.canary.median]).toEqual([3, 8]);
    });

    it('has no relative effect against a baseline median of 0, where any significant shift exceeds the relative tolerance', () => {
      const sut = judgeCanary(oneGroup(latency({ minimumSamples: 5 })), { baseline: { latency: [-2, -1, 0, 1, 2] }, canary: { latency: [6, 7, 8, 9, 10] } });
      expect(metricOf(sut, 'latency')).toMatchObject({ relativeEffect: null, classification: 'high' });
    });
  });

  describe('a proportion metric', () => {
    it("fails a canary with twice the baseline's error rate on the pooled z test", () => {
      const sut = judgeCanary(oneGroup(errorRate()), { baseline: { 'error-rate': { errors: 100, total: 5000 } }, canary: { 'error-rate': { errors: 200, total: 5000 } } });
      const metric = metricOf(sut, 'error-rate');
      expect(sut.verdict).toBe('fail');
      expect(metric).toMatchObject({ kind: 'proportion', test: 'two-proportion-z', classification: 'high', regression: true, rateRatio: 2 });
      expect(metric.effect).toBeCloseTo(0.02, 12);
      expect(metric.relativeEffect).toBeCloseTo(1, 12);
      expect(metric.kind === 'proportion' && metric.canary).toEqual({ total: 5000, errors: 200, rate: 0.04 });
      expect(metric.reason).toMatch(/^regression: canary rate difference \+0\.02 \(\+100 % of the baseline rate 0\.02\), 98 % interval \[0\.01\d*, 0\.02\d*\], p = .*beyond the tolerance \(10 % of the baseline rate\)$/);
    });

    it("uses Fisher's exact test for rare errors and has no ratio against a baseline without errors", () => {
      const sut = judgeCanary(oneGroup(errorRate()), { baseline: { 'error-rate': { errors: 0, total: 1000 } }, canary: { 'error-rate': { errors: 6, total: 1000 } } });
      const metric = metricOf(sut, 'error-rate');
      // Fisher p = 0.0310 is not below α = 0.02: six errors against none is not yet evidence.
      expect(metric).toMatchObject({ test: 'fisher-exact', classification: 'pass', rateRatio: null, relativeEffect: null });
      expect(metric.pValue).toBeCloseTo(0.0310158599618, 10);
    });

    it('passes two error-free sides: nothing to compare, no ratio, p = 1', () => {
      const sut = judgeCanary(oneGroup(errorRate()), { baseline: { 'error-rate': { errors: 0, total: 1000 } }, canary: { 'error-rate': { errors: 0, total: 800 } } });
      expect(sut.verdict).toBe('pass');
      expect(metricOf(sut, 'error-rate')).toMatchObject({ test: 'fisher-exact', pValue: 1, effect: 0, relativeEffect: null, rateRatio: null, classification: 'pass' });
    });

    it('is insufficient below the minimum number of requests, whatever the rates', () => {
      const sut = judgeCanary(oneGroup(errorRate()), { baseline: { 'error-rate': { errors: 1, total: 150 } }, canary: { 'error-rate': { errors: 90, total: 150 } } });
      expect(sut.verdict).toBe('insufficient-data');
      expect(metricOf(sut, 'error-rate')).toMatchObject({
        classification: 'insufficient',
        test: null,
        pValue: null,
        effect: null,
        interval: null,
        rateRatio: null,
        reason: 'insufficient data: 150 baseline and 150 canary requests, 200 per side required',
        canary: { total: 150, errors: 90, rate: 0.6 },
      });
    });
  });

  describe('the verdict', () => {
    const fourMetrics: JudgeConfigInput = {
      groups: [{ name: 'service', weight: 1, metrics: ['a', 'b', 'c', 'd'].map((name) => ({ name, kind: 'proportion' as const })) }],
    };
    const counts = (errorsOfA: number, errorsOfD = 100) => ({
      baseline: { a: { errors: 100, total: 5000 }, b: { errors: 100, total: 5000 }, c: { errors: 100, total: 5000 }, d: { errors: 100, total: 5000 } },
      canary: { a: { errors: errorsOfA, total: 5000 }, b: { errors: 100, total: 5000 }, c: { errors: 100, total: 5000 }, d: { errors: errorsOfD, total: 5000 } },
    });

    it('is marginal when the weighted share of passing metrics is between the thresholds', () => {
      const sut = judgeCanary(fourMetrics, counts(300));
      expect(sut).toMatchObject({ verdict: 'marginal', score: 75 });
      expect(sut.reasons).toHaveLength(2);
    });

    it('fails below the marginal threshold, and follows configured thresholds', () => {
      expect(judgeCanary(fourMetrics, counts(300, 300))).toMatchObject({ verdict: 'fail', score: 50 });
      expect(judgeCanary({ ...fourMetrics, thresholds: { pass: 50, marginal: 10 } }, counts(300, 300))).toMatchObject({ verdict: 'pass', score: 50 });
    });

    it('fails on a critical regression whatever the score', () => {
      const config: JudgeConfigInput = {
        groups: [{ name: 'service', weight: 1, metrics: ['a', 'b', 'c', 'd'].map((name) => ({ name, kind: 'proportion' as const, critical: name === 'a' })) }],
      };
      const sut = judgeCanary({ ...config, thresholds: { pass: 10, marginal: 5 } }, counts(300));
      expect(sut).toMatchObject({ verdict: 'fail', score: 75 });
      expect(sut.reasons).toEqual([`critical metric a: ${metricOf(sut, 'a').reason}`]);
    });

    it('weighs groups by their weight and shares a group weight among its metrics', () => {
      const config: JudgeConfigInput = {
        groups: [
          { name: 'heavy', weight: 3, metrics: [{ name: 'a', kind: 'proportion' }] },
          { name: 'light', weight: 1, metrics: [{ name: 'b', kind: 'proportion' }, { name: 'd', kind: 'proportion' }] },
        ],
      };
      const lightFails = judgeCanary(config, counts(100, 300));
      expect(lightFails).toMatchObject({ verdict: 'marginal', score: 87.5 });
      expect(lightFails.groups).toEqual([
        { name: 'heavy', weight: 0.75, score: 100 },
        { name: 'light', weight: 0.25, score: 50 },
      ]);
      expect(metricOf(lightFails, 'd').weight).toBe(0.125);
      expect(judgeCanary(config, counts(300, 100))).toMatchObject({ verdict: 'fail', score: 25 });
    });

    it('is insufficient data when a critical metric lacks data, even if every tested metric passes', () => {
      const config = oneGroup(latency({ critical: true }), errorRate());
      const sut = judgeCanary(config, { baseline: { latency: [1, 2, 3], 'error-rate': { errors: 10, total: 1000 } }, canary: { latency: [1, 2, 3], 'error-rate': { errors: 10, total: 1000 } } });
      expect(sut).toMatchObject({ verdict: 'insufficient-data', score: 100, insufficientShare: 0.5 });
      expect(sut.reasons).toEqual(['critical metric latency: insufficient data: 3 baseline and 3 canary samples, 50 per side required']);
    });

    it('is insufficient data when more than the allowed weighted share lacks data', () => {
      const config: JudgeConfigInput = { groups: [{ name: 'service', weight: 1, metrics: [latency(), errorRate(), { name: 'cpu', kind: 'continuous' }] }] };
      const comparison = { baseline: { 'error-rate': { errors: 10, total: 1000 } }, canary: { 'error-rate': { errors: 10, total: 1000 } } };
      const sut = judgeCanary(config, comparison);
      expect(sut).toMatchObject({ verdict: 'insufficient-data', score: 100 });
      expect(sut.insufficientShare).toBeCloseTo(2 / 3, 12);
      expect(sut.reasons).toEqual(['66.7 % of the weight has insufficient data, more than the 50 % allowed']);
      expect(metricOf(sut, 'cpu')).toMatchObject({ classification: 'insufficient', reason: 'insufficient data: 0 baseline and 0 canary samples, 50 per side required', baseline: { count: 0, median: null } });
      expect(judgeCanary({ ...config, maximumInsufficientShare: 0.7 }, comparison).verdict).toBe('pass');
    });

    it('is insufficient data when nothing could be tested', () => {
      expect(judgeCanary(oneGroup(latency()), { baseline: {}, canary: {} })).toMatchObject({ verdict: 'insufficient-data', score: null, insufficientShare: 1 });
    });

    it('leaves insufficient metrics out of the score', () => {
      const config: JudgeConfigInput = { groups: [{ name: 'service', weight: 1, metrics: [latency(), errorRate(), { name: 'cpu', kind: 'continuous' }] }] };
      const random = new SeededRandom(8);
      const sut = judgeCanary(config, {
        baseline: { latency: random.lognormal(200, 100, 0.4), 'error-rate': { errors: 10, total: 1000 } },
        canary: { latency: random.lognormal(200, 100, 0.4), 'error-rate': { errors: 40, total: 1000 } },
      });
      expect(sut).toMatchObject({ verdict: 'fail', score: 50 });
      expect(sut.insufficientShare).toBeCloseTo(1 / 3, 12);
    });
  });

  describe('multiple comparisons', () => {
    const config = (multipleComparisons: 'holm' | 'none'): JudgeConfigInput => ({
      multipleComparisons,
      groups: [{ name: 'service', weight: 1, metrics: [latency(), errorRate(), { name: 'cpu', kind: 'continuous' }] }],
    });
    const random = new SeededRandom(12);
    const comparison: CanaryComparison = {
      baseline: { latency: random.lognormal(400, 100, 0.4), cpu: random.lognormal(400, 50, 0.2), 'error-rate': { errors: 100, total: 5000 } },
      // 2.76 % against 2 %: z = 2.49, p = 0.013 on its own, but at least 3 × 0.013 once adjusted for three tests.
      canary: { latency: random.lognormal(400, 100, 0.4), cpu: random.lognormal(400, 50, 0.2), 'error-rate': { errors: 138, total: 5000 } },
    };

    it('decides on Holm-adjusted p-values across the tested metrics by default', () => {
      const sut = judgeCanary(config('holm'), comparison);
      const raw = sut.metrics.map((metric) => metric.pValue!);
      sut.metrics.forEach((metric, index) => expect(metric.adjustedPValue).toBe(holmAdjust(raw)[index]));
      expect(metricOf(sut, 'error-rate').pValue).toBeLessThan(0.02);
      expect(metricOf(sut, 'error-rate')).toMatchObject({ classification: 'pass', regression: false });
      expect(sut.verdict).toBe('pass');
    });

    it('decides on the raw p-values when told not to adjust', () => {
      const sut = judgeCanary(config('none'), comparison);
      sut.metrics.forEach((metric) => expect(metric.adjustedPValue).toBe(metric.pValue));
      expect(metricOf(sut, 'error-rate')).toMatchObject({ classification: 'high', regression: true });
      expect(metricOf(sut, 'error-rate').reason).not.toContain('Holm');
    });
  });

  describe('input', () => {
    it('ignores metrics the config does not name', () => {
      const sut = judgeCanary(oneGroup(errorRate()), { baseline: { 'error-rate': { errors: 1, total: 500 }, other: [1] }, canary: { 'error-rate': { errors: 1, total: 500 } } });
      expect(sut.metrics.map((metric) => metric.name)).toEqual(['error-rate']);
    });

    it.each([
      [{ baseline: { latency: [1, Number.NaN] }, canary: {} }, 'baseline.latency[1] must be a finite number, got NaN'],
      [{ baseline: {}, canary: { latency: { errors: 1, total: 2 } } }, 'canary.latency must be an array of samples for a continuous metric'],
      [{ baseline: { 'error-rate': [1, 2] }, canary: {} }, 'baseline.error-rate must be { errors, total } for a proportion metric'],
      [{ baseline: {}, canary: { 'error-rate': { errors: 3, total: 2 } } }, 'canary.error-rate.errors must be an integer in [0, 2], got 3'],
      [{ baseline: { 'error-rate': { errors: 0, total: -1 } }, canary: {} }, 'baseline.error-rate.total must be a non-negative integer, got -1'],
    ])('refuses malformed observations: %j', (comparison, message) => {
      const act = () => judgeCanary(oneGroup(latency(), errorRate()), comparison as unknown as CanaryComparison);
      expect(act).toThrow(JudgeInputError);
      expect(act).toThrow(message);
    });

    it('refuses an invalid config', () => {
      expect(() => judgeCanary({ groups: [{ name: 'g', weight: 0, metrics: [latency()] }] }, { baseline: {}, canary: {} })).toThrow(JudgeConfigError);
    });
  });
});
