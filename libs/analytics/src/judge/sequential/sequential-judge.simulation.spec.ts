import { AA_SCENARIOS, errorRatePowerBound, REGRESSION_SCENARIOS, simulateScenario } from './judge-simulation';

/**
 * A smaller, seeded cut of `npm run eval:judge` (2,000 runs a scenario to 5,000 canary requests
 * there): 300 runs, the sequential judge watching every window.
 */
const OPTIONS = { runs: 300, checkpoints: [500, 1000, 5000], fixedAt: null };
const AA_OPTIONS = { ...OPTIONS, checkpoints: [1000, 2000] };

describe('sequential canary judge over simulated traffic', () => {
  it.each(AA_SCENARIOS.map((scenario, index) => [scenario.name, index] as const))('fails at most 1 %% of A/A canaries watched continuously to 2,000 requests: %s', (_name, index) => {
    const sut = simulateScenario(AA_SCENARIOS[index]!, { ...AA_OPTIONS, seed: 500 + index });
    expect(sut.failBy[2000]).toBeLessThanOrEqual(0.01);
  }, 30_000);

  it('catches a canary 20 % slower by 1,000 requests a side in at least 95 % of runs', () => {
    const sut = simulateScenario(REGRESSION_SCENARIOS[1]!, { ...OPTIONS, seed: 601 });
    expect(sut.failBy[1000]).toBeGreaterThanOrEqual(0.95);
    expect(sut.medianRequestsToFail).toBeLessThanOrEqual(700);
  });

  it('catches twice the error rate (1 % → 2 %) by 5,000 requests in at least 60 % of runs; no test reaches 80 % at 1,000', () => {
    const sut = simulateScenario(REGRESSION_SCENARIOS[0]!, { ...OPTIONS, seed: 602 });
    expect(sut.failBy[5000]).toBeGreaterThanOrEqual(0.6);
    // The most powerful 1 % test, even knowing the baseline rate exactly, catches it 62 % of the time at 1,000.
    expect(errorRatePowerBound(1000, 0.01, 2, 0.01)).toBeLessThan(0.8);
    expect(sut.failBy[1000]).toBeLessThanOrEqual(errorRatePowerBound(1000, 0.01, 2, 0.01));
  });
});
