import { JudgeInputError } from '../canary-judge';
import { SeededRandom } from '../seeded-random';
import { type CanaryWindow, SequentialCanaryJudge, type SequentialJudgement } from './sequential-judge';

/** A window of `perSide` requests a side: lognormal latency around `median` (log-σ 0.5), `errors` failures. */
function window(random: SeededRandom, perSide: number, canary: { median: number; errors: number }, baseline = { median: 100, errors: 0 }): CanaryWindow {
  return {
    baseline: { requests: perSide, errors: baseline.errors, latencies: random.lognormal(perSide, baseline.median, 0.5) },
    canary: { requests: perSide, errors: canary.errors, latencies: random.lognormal(perSide, canary.median, 0.5) },
  };
}

function watch(judge: SequentialCanaryJudge, windows: number, next: () => CanaryWindow): SequentialJudgement {
  let judgement = judge.observe(next());
  for (let index = 1; index < windows && judgement.verdict === 'continue'; index += 1) judgement = judge.observe(next());
  return judgement;
}

describe(SequentialCanaryJudge.name, () => {
  it('leaves the canary warm-up out of the latency test, not its errors', () => {
    const random = new SeededRandom(1);
    const sut = new SequentialCanaryJudge({ warmUpRequests: 100 });
    // Two windows of 50 canary requests that are 5× slower: the cold start.
    sut.observe(window(random, 50, { median: 500, errors: 0 }));
    const judgement = sut.observe(window(random, 50, { median: 500, errors: 1 }));
    expect(judgement).toMatchObject({ verdict: 'continue', canaryRequests: 100, baselineRequests: 100, latency: { blocks: 0 }, errors: { canaryErrors: 1 } });
    expect(sut.observe(window(random, 50, { median: 100, errors: 0 })).latency.blocks).toBe(1);
  });

  it('fails a canary whose requests all fail from the start, warm-up or not', () => {
    const random = new SeededRandom(7);
    const sut = watch(new SequentialCanaryJudge({ warmUpRequests: 1000 }), 10, () => window(random, 50, { median: 100, errors: 25 }, { median: 100, errors: 0 }));
    expect(sut).toMatchObject({ verdict: 'fail', regressions: ['errors'] });
    expect(sut.canaryRequests).toBeLessThanOrEqual(200);
  });

  it('judges latency given as histograms like the same requests given one by one, and reports the shift in ms', () => {
    const histogram = (median: number) => ({ values: [0.8 * median, median, 1.25 * median], counts: [10, 30, 10] });
    const raw = (median: number) => [...Array<number>(10).fill(0.8 * median), ...Array<number>(30).fill(median), ...Array<number>(10).fill(1.25 * median)];
    const grouped = new SequentialCanaryJudge({ warmUpRequests: 0 });
    const listed = new SequentialCanaryJudge({ warmUpRequests: 0 });
    let fromHistograms: SequentialJudgement | undefined;
    let fromLists: SequentialJudgement | undefined;
    for (let index = 0; index < 8; index += 1) {
      const median = 100 + index;
      fromHistograms = grouped.observe({ baseline: { requests: 50, errors: 0, latencies: histogram(median) }, canary: { requests: 50, errors: 0, latencies: histogram(1.5 * median) } });
      fromLists = listed.observe({ baseline: { requests: 50, errors: 0, latencies: raw(median) }, canary: { requests: 50, errors: 0, latencies: raw(1.5 * median) } });
    }
    expect(fromHistograms?.latency.shift).toBeCloseTo(0.5, 10);
    expect(fromHistograms?.latency.shift).toBeCloseTo(fromLists?.latency.shift ?? Number.NaN, 10);
    expect(fromHistograms?.latency.absoluteShift).toBeGreaterThan(50);
    expect(fromHistograms?.verdict).toBe('fail');
  });

  it('does not fail a relative shift smaller than the absolute tolerance', () => {
    const sut = new SequentialCanaryJudge({ warmUpRequests: 0, latencyAbsoluteTolerance: 1 });
    let judgement: SequentialJudgement | undefined;
    const side = (ms: number) => ({ requests: 50, errors: 0, latencies: { values: [ms], counts: [50] } });
    for (let index = 0; index < 8; index += 1) judgement = sut.observe({ baseline: side(1), canary: side(1.5) });
    expect(judgement?.latency.shift).toBeCloseTo(0.5, 10);
    expect(judgement?.verdict).not.toBe('fail');
  });

  it('gives no latency verdict before its minimum number of blocks', () => {
    const random = new SeededRandom(2);
    const sut = new SequentialCanaryJudge({ warmUpRequests: 0, blockRequests: 25, minimumBlocks: 6 });
    let judgement = sut.observe(window(random, 25, { median: 300, errors: 0 }));
    for (let index = 1; index < 5; index += 1) judgement = sut.observe(window(random, 25, { median: 300, errors: 0 }));
    expect(judgement.latency).toMatchObject({ blocks: 5, shift: null, lower: null, upper: null, absoluteShift: null });
    expect(judgement.verdict).toBe('continue');
  });

  it('fails a canary 30 % slower within a few hundred requests, naming latency', () => {
    const random = new SeededRandom(3);
    const sut = watch(new SequentialCanaryJudge(), 100, () => window(random, 50, { median: 130, errors: 0 }));
    expect(sut.verdict).toBe('fail');
    expect(sut.regressions).toEqual(['latency']);
    expect(sut.canaryRequests).toBeLessThan(1000);
    expect(sut.latency.lower).toBeGreaterThan(0);
    expect(sut.latency.shift).toBeGreaterThan(0.2);
    expect(sut.reason).toMatch(/^regression: latency \+\d+\.\d %/);
  });

  it('fails a canary with four times the error rate, naming errors', () => {
    const random = new SeededRandom(4);
    let index = 0;
    const sut = watch(new SequentialCanaryJudge(), 200, () => window(random, 50, { median: 100, errors: index++ % 5 === 0 ? 2 : 0 }, { median: 100, errors: index % 10 === 0 ? 1 : 0 }));
    expect(sut.verdict).toBe('fail');
    expect(sut.regressions).toEqual(['errors']);
    expect(sut.errors.boundary).not.toBeNull();
    expect(sut.errors.canaryErrors).toBeGreaterThanOrEqual(sut.errors.boundary ?? Number.POSITIVE_INFINITY);
  });

  it('passes an identical canary once latency is shown within tolerance and errors below twice the baseline', () => {
    const random = new SeededRandom(5);
    let index = 0;
    const sut = watch(new SequentialCanaryJudge(), 400, () => {
      index += 1;
      return window(random, 50, { median: 100, errors: index % 4 === 0 ? 1 : 0 }, { median: 100, errors: index % 4 === 2 ? 1 : 0 });
    });
    expect(sut.verdict).toBe('pass');
    expect(sut.latency.upper).toBeLessThan(0.1);
  });

  it.each([
    [{ requests: 2, errors: 3, latencies: [] }, /canary\.errors must be an integer in \[0, 2\], got 3/],
    [{ requests: 1.5, errors: 0, latencies: [] }, /canary\.requests must be a non-negative integer/],
    [{ requests: 2, errors: 0, latencies: [10, 0] }, /canary\.latencies\[1\] must be a positive finite number, got 0/],
    [{ requests: 2, errors: 0, latencies: [Number.NaN] }, /canary\.latencies\[0\]/],
    [{ requests: 2, errors: 0, latencies: { values: [-1], counts: [2] } }, /canary\.latencies\.values\[0\] must be a positive finite number, got -1/],
    [{ requests: 2, errors: 0, latencies: { values: [1, 2], counts: [2] } }, /canary\.latencies\.counts must be 2 non-negative integers, one per value/],
  ])('refuses malformed figures %p naming the side and the field', (canary, message) => {
    const sut = new SequentialCanaryJudge();
    expect(() => sut.observe({ baseline: { requests: 1, errors: 0, latencies: [1] }, canary })).toThrow(JudgeInputError);
    expect(() => sut.observe({ baseline: { requests: 1, errors: 0, latencies: [1] }, canary })).toThrow(message);
  });

  it('does not call a significant shift smaller than the tolerance a regression', () => {
    const random = new SeededRandom(6);
    const sut = watch(new SequentialCanaryJudge(), 300, () => window(random, 50, { median: 105, errors: 0 }));
    expect(sut.verdict).not.toBe('fail');
  });
});
