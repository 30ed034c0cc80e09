import { errorRatePowerBound, unbiasedErrorRatePower } from './error-rate-power';
import { AA_SCENARIOS, REGRESSION_SCENARIOS, simulateScenario } from './judge-simulation';

/**
 * The thresholds on a smaller, seeded cut of `npm run eval:judge` (2,000 runs a scenario to
 * 5,000 canary requests there): 300 runs a scenario, the sequential judge read after every window.
 */
const RUNS = 300;
const OPTIONS = { runs: RUNS, checkpoints: [500, 1000, 5000], fixedAt: null };
const AA_OPTIONS = { ...OPTIONS, checkpoints: [2000] };

/**
 * The most false fails a judge whose rate is 1 % shows in `runs` runs, but for a 1-in-1,000 fluke.
 * A level-1 % judge is about 1 % in a scenario, so its share in 300 runs is above 1 % about a third
 * of the time: the share itself is asserted on all scenarios pooled, each one only against this.
 */
function mostFailsAtOnePercent(runs: number): number {
  let term = (1 - 0.01) ** runs;
  let below = term;
  let count = 0;
  while (1 - below > 0.001) {
    count += 1;
    term *= ((runs - count + 1) / count) * (0.01 / 0.99);
    below += term;
  }
  return count;
}

describe('sequential canary judge over simulated traffic', () => {
  const aa = AA_SCENARIOS.map((scenario, index) => simulateScenario(scenario, { ...AA_OPTIONS, seed: 500 + index }));

  it.each(AA_SCENARIOS.map((scenario, index) => [scenario.name, index] as const))('A/A watched continuously to 2,000 canary requests: no more false fails than a 1 %% rate explains (%s)', (_name, index) => {
    expect(Math.round((aa[index]?.failBy[2000] ?? 1) * RUNS)).toBeLessThanOrEqual(mostFailsAtOnePercent(RUNS));
  });

  it('A/A: at most 1 % false fails over all scenarios together', () => {
    const pooled = aa.reduce((sum, result) => sum + (result.failBy[2000] ?? 1), 0) / aa.length;
    expect(pooled).toBeLessThanOrEqual(0.01);
  });

  it('catches a canary 20 % slower by 1,000 requests a side in at least 95 % of runs', () => {
    const sut = simulateScenario(REGRESSION_SCENARIOS[1]!, { ...OPTIONS, seed: 601 });
    expect(sut.failBy[1000]).toBeGreaterThanOrEqual(0.95);
    expect(sut.medianRequestsToFail).toBeLessThanOrEqual(700);
  });

  it('catches twice the error rate (1 % → 2 %) in 6 % of runs by 1,000 requests (the e-process it replaced: 4.3 %) and 65 % by 5,000, below what any test can reach', () => {
    const sut = simulateScenario(REGRESSION_SCENARIOS[0]!, { ...OPTIONS, seed: 602 });
    expect(sut.failBy[1000]).toBeGreaterThanOrEqual(0.06);
    expect(sut.failBy[5000]).toBeGreaterThanOrEqual(0.65);
    // The goal, 80 % at 1,000, is past the information in 1,000 requests a side: the best
    // unbiased 1 % test looked at once reaches 31 %; knowing the baseline rate exactly, 62 %.
    const best = unbiasedErrorRatePower(1000, 0.01, 2, 0.01);
    expect(best).toBeCloseTo(0.3114, 3);
    expect(errorRatePowerBound(1000, 0.01, 2, 0.01)).toBeCloseTo(0.6203, 3);
    expect(sut.failBy[1000]).toBeLessThanOrEqual(best);
  });
});
