import { judgeCanary, Verdict } from './canary-judge';
import { aaWindow, serviceJudgeConfig, ServiceWindow, simulateWindow } from './test-support/canary-scenarios';
import { SeededRandom } from './seeded-random';

/**
 * Share of each verdict over `runs` simulated windows of the service in test-support/canary-scenarios
 * (request latency and database query time, 500 samples per side; error rate over 5 000 requests
 * per side at 2 %; a critical request latency and error rate), judged with the default settings.
 */
function verdictRates(window: ServiceWindow, runs: number, seed: number): Record<Verdict, number> {
  const random = new SeededRandom(seed);
  const counts: Record<Verdict, number> = { pass: 0, marginal: 0, fail: 0, 'insufficient-data': 0 };
  for (let run = 0; run < runs; run += 1) counts[judgeCanary(serviceJudgeConfig, simulateWindow(random, window)).verdict] += 1;
  return { pass: counts.pass / runs, marginal: counts.marginal / runs, fail: counts.fail / runs, 'insufficient-data': counts['insufficient-data'] / runs };
}

describe(`${judgeCanary.name} over simulated windows`, () => {
  it('fails at most 1 % of A/A comparisons, and flags at most 2 % (Holm keeps the family-wise error at α)', () => {
    const sut = verdictRates(aaWindow, 1000, 101);
    expect(sut.fail).toBeLessThanOrEqual(0.01);
    expect(sut.fail + sut.marginal).toBeLessThanOrEqual(0.02);
    expect(sut['insufficient-data']).toBe(0);
  });

  it("fails at least 95 % of canaries with twice the baseline's error rate (2 % → 4 % over 5 000 requests per side)", () => {
    const sut = verdictRates({ ...aaWindow, canaryErrorRate: 0.04 }, 500, 202);
    expect(sut.fail).toBeGreaterThanOrEqual(0.95);
  });

  it('fails at least 95 % of canaries 20 % slower in request latency (500 samples per side)', () => {
    const sut = verdictRates({ ...aaWindow, canaryLatencyFactor: 1.2 }, 500, 303);
    expect(sut.fail).toBeGreaterThanOrEqual(0.95);
  });

  it('estimates the latency shift without bias: the mean relative Hodges–Lehmann effect of a 20 % slowdown is 20 %', () => {
    const random = new SeededRandom(304);
    const runs = 200;
    let total = 0;
    for (let run = 0; run < runs; run += 1) {
      const verdict = judgeCanary(serviceJudgeConfig, simulateWindow(random, { ...aaWindow, canaryLatencyFactor: 1.2 }));
      total += verdict.metrics.find((metric) => metric.name === 'request-latency-ms')!.relativeEffect!;
    }
    expect(total / runs).toBeGreaterThan(0.19);
    expect(total / runs).toBeLessThan(0.21);
  });

  it('marks a 30 % slower database query alone, a non-critical metric, as marginal rather than failing', () => {
    const sut = verdictRates({ ...aaWindow, canaryQueryFactor: 1.3 }, 200, 305);
    expect(sut.marginal).toBeGreaterThanOrEqual(0.9);
    expect(sut.pass).toBeLessThanOrEqual(0.05);
  });

  it('returns insufficient data, never a pass, for too few samples (20 latencies and 100 requests per side)', () => {
    const sut = verdictRates({ ...aaWindow, samples: 20, requests: 100, canaryErrorRate: 0.04 }, 500, 404);
    expect(sut['insufficient-data']).toBe(1);
  });
});
