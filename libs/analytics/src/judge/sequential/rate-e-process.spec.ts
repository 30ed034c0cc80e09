import { RateRatioEProcess } from './rate-e-process';
import { SeededRandom } from '../seeded-random';

describe(RateRatioEProcess.name, () => {
  it('starts at 1 and ignores windows without errors', () => {
    const sut = new RateRatioEProcess(1, [2]);
    sut.observe(100, 0, 100, 0);
    expect(sut.value).toBe(1);
  });

  it('is the likelihood ratio of the canary share of the errors, given the traffic split', () => {
    const sut = new RateRatioEProcess(1, [2]);
    // 10/90 split: under r = 1 an error is the canary's with probability 0.1, under r = 2 with 0.2/1.1.
    sut.observe(10, 1, 90, 2);
    const alternative = 0.2 / 1.1;
    expect(sut.value).toBeCloseTo((alternative / 0.1) * ((1 - alternative) / 0.9) ** 2, 12);
  });

  it('grows when the canary fails more and shrinks when it fails less', () => {
    const worse = new RateRatioEProcess(1, [1.5, 2, 3]);
    const better = new RateRatioEProcess(1, [1.5, 2, 3]);
    for (let window = 0; window < 20; window += 1) {
      worse.observe(100, 3, 100, 1);
      better.observe(100, 1, 100, 3);
    }
    expect(worse.value).toBeGreaterThan(1000);
    expect(better.value).toBeLessThan(0.01);
  });

  it('rarely reaches 1/α under the null, even read after every window (Ville): at most 1 % of 1,000 runs at α = 0.01', () => {
    const random = new SeededRandom(9);
    let crossed = 0;
    for (let run = 0; run < 1000; run += 1) {
      const sut = new RateRatioEProcess(1, [1.25, 1.5, 2, 3, 5]);
      for (let window = 0; window < 100; window += 1) {
        // A rate that swings over the day, the same for both sides, and a 30/70 split.
        const rate = 0.02 * (1 + 0.5 * Math.sin(window / 8));
        sut.observe(30, random.errors(30, rate).errors, 70, random.errors(70, rate).errors);
        if (sut.value >= 100) {
          crossed += 1;
          break;
        }
      }
    }
    expect(crossed / 1000).toBeLessThanOrEqual(0.01);
  });

  it('needs an alternative', () => {
    expect(() => new RateRatioEProcess(1, [])).toThrow(/at least one alternative/);
  });
});
