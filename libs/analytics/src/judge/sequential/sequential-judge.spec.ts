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
  it('leaves the canary warm-up out of both tests', () => {
    const random = new SeededRandom(1);
    const sut = new SequentialCanaryJudge({ warmUpRequests: 100 });
    // Two windows of 50 canary requests that are 5× slower and all failing: the cold start.
    sut.observe(window(random, 50, { median: 500, errors: 50 }));
    const judgement = sut.observe(window(random, 50, { median: 500, errors: 50 }));
    expect(judgement).toMatchObject({ verdict: 'continue', canaryRequests: 0, baselineRequests: 0, latency: { blocks: 0 } });
    expect(sut.observe(window(random, 50, { median: 100, errors: 0 })).canaryRequests).toBe(50);
  });

  it('gives no latency verdict before its minimum number of blocks', () => {
    const random = new SeededRandom(2);
    const sut = new SequentialCanaryJudge({ warmUpRequests: 0, blockRequests: 25, minimumBlocks: 6 });
    let judgement = sut.observe(window(random, 25, { median: 300, errors: 0 }));
    for (let index = 1; index < 5; index += 1) judgement = sut.observe(window(random, 25, { median: 300, errors: 0 }));
    expect(judgement.latency).toEqual({ blocks: 5, shift: null, lower: null, upper: null });
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
    expect(sut.errors.eValue).toBeGreaterThanOrEqual(200);
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
