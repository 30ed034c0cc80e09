import { SeededRandom } from '../seeded-random';
import { mixturePValue, mixtureRadius } from './confidence-sequence';
import { AA_SCENARIOS, REGRESSION_SCENARIOS } from './judge-simulation';
import { RateSpendingTest } from './rate-spending-test';
import { type SequentialJudgement, SequentialCanaryJudge } from './sequential-judge';
import { type TrafficScenario, simulateTraffic } from './traffic-simulation';

/** Every judgement of one seeded run, the judge read after every window to `canaryRequests`. */
function watchAll(random: SeededRandom, scenario: TrafficScenario, canaryRequests: number): SequentialJudgement[] {
  const sut = new SequentialCanaryJudge();
  return [...simulateTraffic(random, scenario, canaryRequests)].map((window) => sut.observe(window));
}

/** The most runs out of `runs` a p-value valid at `level` falls to `level` in, but for a 1-in-1,000 fluke. */
function mostRunsAtLevel(runs: number, level: number): number {
  let term = (1 - level) ** runs;
  let below = term;
  let count = 0;
  while (1 - below > 0.001) {
    count += 1;
    term *= ((runs - count + 1) / count) * (level / (1 - level));
    below += term;
  }
  return count;
}

const latencyP = (judgement: SequentialJudgement) => judgement.latency.pValue;
const errorP = (judgement: SequentialJudgement) => judgement.errors.pValue;

function expectValidAndNonIncreasing(pValues: readonly (number | null)[]): void {
  const shown = pValues.filter((value): value is number => value !== null);
  for (const value of shown) {
    expect(value).toBeGreaterThanOrEqual(0);
    expect(value).toBeLessThanOrEqual(1);
  }
  shown.slice(1).forEach((value, index) => expect(value).toBeLessThanOrEqual(shown[index] ?? 1));
}

describe('sequential judge p-values', () => {
  it('mixturePValue is the α at which mixtureRadius just reaches the mean', () => {
    const [count, variance, mean, tightest] = [12, 0.04, 0.09, 10];
    const alpha = mixturePValue(count, variance, mean, tightest);
    expect(mixtureRadius(count, variance, alpha, tightest)).toBeCloseTo(mean, 12);
    expect(mixtureRadius(count, variance, alpha * 1.01, tightest)).toBeLessThan(mean);
    expect(mixtureRadius(count, variance, alpha * 0.99, tightest)).toBeGreaterThan(mean);
    expect(mixturePValue(count, variance, 0, tightest)).toBe(1);
  });

  it('the spending test gives its stage-wise p-value at its first crossing, within what it may spend by then', () => {
    const sut = new RateSpendingTest(0.01, 500);
    sut.observe(50, 5, 50, 0);
    expect(sut.crossingPValue).toBeNull();
    for (let window = 0; window < 10 && !sut.crossed; window += 1) sut.observe(50, 2, 50, 0);
    expect(sut.crossed).toBe(true);
    const { spent } = sut.state;
    expect(sut.crossingPValue).toBeGreaterThan(0);
    expect(sut.crossingPValue).toBeLessThanOrEqual(spent);
    const first = sut.crossingPValue;
    sut.observe(50, 0, 50, 5);
    expect(sut.crossingPValue).toBe(first);
  });

  it.each([
    ['latency +20 %', REGRESSION_SCENARIOS[1]!, 'latency', latencyP],
    ['errors 5× (1 % → 5 %)', { ...REGRESSION_SCENARIOS[0]!, canaryErrorRate: 0.05 }, 'errors', errorP],
  ] as const)('%s: p-values in [0, 1], never rising, and below the level when the judge fails on it', (_name, scenario, metric, pValue) => {
    const judgements = watchAll(new SeededRandom(31), scenario, 3000);
    expectValidAndNonIncreasing(judgements.map(latencyP));
    expectValidAndNonIncreasing(judgements.map(errorP));
    const failed = judgements.find((judgement) => judgement.verdict === 'fail');
    expect(failed?.regressions).toContain(metric);
    const level = metric === 'latency' ? failed?.latency.level : failed?.errors.level;
    expect(pValue(failed!)).toBeLessThan(level ?? 0);
  });

  it('before the error test crosses, its p-value stays at or above its level, and it falls below at the crossing', () => {
    const judgements = watchAll(new SeededRandom(32), { ...REGRESSION_SCENARIOS[0]!, canaryErrorRate: 0.05 }, 3000);
    const crossing = judgements.findIndex((judgement) => judgement.regressions.includes('errors'));
    expect(crossing).toBeGreaterThan(0);
    for (const judgement of judgements.slice(0, crossing)) expect(judgement.errors.pValue).toBeGreaterThanOrEqual(judgement.errors.level);
    expect(judgements[crossing]?.errors.pValue).toBeLessThan(judgements[crossing]?.errors.level ?? 0);
  });

  // A/A, 300 runs of each scenario watched to 2,000 canary requests: the lowest p-value of a run
  // falls to 5 % in no more runs than a valid 5 % p-value explains (binomial, 99.9 %).
  const RUNS = 300;
  const LEVEL = 0.05;
  it.each([AA_SCENARIOS[0]!, AA_SCENARIOS[AA_SCENARIOS.length - 1]!].map((scenario, index) => [scenario.name, scenario, index] as const))(
    'A/A (%s): P(min p ≤ 5 %%) is at most 5 %% within binomial noise, on each metric',
    (_name, scenario, index) => {
      const random = new SeededRandom(700 + index);
      const low = { latency: 0, errors: 0 };
      for (let run = 0; run < RUNS; run += 1) {
        const judgements = watchAll(random, scenario, 2000);
        if (judgements.some((judgement) => (latencyP(judgement) ?? 1) <= LEVEL)) low.latency += 1;
        if (judgements.some((judgement) => errorP(judgement) <= LEVEL)) low.errors += 1;
      }
      expect(low.latency).toBeLessThanOrEqual(mostRunsAtLevel(RUNS, LEVEL));
      expect(low.errors).toBeLessThanOrEqual(mostRunsAtLevel(RUNS, LEVEL));
      expect((low.latency + low.errors) / (2 * RUNS)).toBeLessThanOrEqual(LEVEL);
      // Not vacuous: a 5 % p-value is reached now and then in A/A.
      expect(low.latency + low.errors).toBeGreaterThan(0);
    },
  );
});
