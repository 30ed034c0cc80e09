import { judgeCanary } from './canary-judge';
import { GroupedSamples, groupedMedian, hodgesLehmannOfGroups, mannWhitneyUOfGroups } from './grouped-samples';
import { hodgesLehmann } from './hodges-lehmann';
import { mannWhitneyU } from './mann-whitney';

function expand(samples: GroupedSamples): number[] {
  return samples.values.flatMap((value, index) => Array.from({ length: samples.counts[index] }, () => value));
}

/** A deterministic pseudo-random histogram over the gateway's bucket middles. */
function histogram(seed: number, shift: number, total: number): GroupedSamples {
  const middles = [0.5, 1.5, 3.5, 7.5, 17.5, 37.5, 75, 175];
  let state = seed;
  const counts = middles.map(() => 0);
  for (let index = 0; index < total; index += 1) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    counts[Math.min(middles.length - 1, Math.floor((state / 2 ** 31) * 3) + shift)] += 1;
  }
  const kept = middles.map((value, index) => ({ value, count: counts[index] })).filter((entry) => entry.count > 0);
  return { values: kept.map((entry) => entry.value), counts: kept.map((entry) => entry.count) };
}

describe('grouped samples', () => {
  it.each([
    [1, 2, 0, 200, 180],
    [3, 4, 1, 150, 170],
    [5, 6, 3, 90, 300],
  ])('Mann–Whitney and Hodges–Lehmann on histograms equal the tests on the expanded samples (seeds %i/%i, shift %i)', (seedA, seedB, shift, sizeA, sizeB) => {
    const baseline = histogram(seedA, 0, sizeA);
    const canary = histogram(seedB, shift, sizeB);
    const grouped = mannWhitneyUOfGroups(baseline, canary);
    const raw = mannWhitneyU(expand(baseline), expand(canary));
    expect(grouped.u).toBeCloseTo(raw.u, 9);
    expect(grouped.pValue).toBeCloseTo(raw.pValue, 12);
    expect(grouped.method).toBe('normal');
    const groupedShift = hodgesLehmannOfGroups(baseline, canary, 0.98);
    const rawShift = hodgesLehmann(expand(baseline), expand(canary), 0.98);
    expect(groupedShift.shift).toBeCloseTo(rawShift.shift, 12);
    expect(groupedShift.interval.lower).toBeCloseTo(rawShift.interval.lower, 12);
    expect(groupedShift.interval.upper).toBeCloseTo(rawShift.interval.upper, 12);
  });

  it('finds a 50 ms shift of thousands of requests that one mean per window could not', () => {
    const baseline: GroupedSamples = { values: [0.5, 1.5, 3.5], counts: [400, 1_500, 100] };
    const canary: GroupedSamples = { values: [37.5, 75], counts: [50, 1_950] };
    const result = mannWhitneyUOfGroups(baseline, canary);
    expect(result.pValue).toBeLessThan(1e-12);
    expect(hodgesLehmannOfGroups(baseline, canary, 0.98).shift).toBeCloseTo(73.5, 6);
  });

  it('gives no evidence when both sides are one tied value', () => {
    expect(mannWhitneyUOfGroups({ values: [1.5], counts: [10] }, { values: [1.5], counts: [12] })).toMatchObject({ pValue: 1, z: 0 });
  });

  it('takes the lower middle as the median of an even count', () => {
    expect(groupedMedian({ values: [1, 2], counts: [2, 2] })).toBe(1);
    expect(groupedMedian({ values: [], counts: [] })).toBeNull();
  });

  it('coarsens a side with more distinct values than it keeps, still close to the exact shift', () => {
    const values = Array.from({ length: 3_000 }, (_, index) => 1 + index / 1_000);
    const baseline = { values, counts: values.map(() => 1) };
    const canary = { values: values.map((value) => value + 0.5), counts: values.map(() => 1) };
    expect(hodgesLehmannOfGroups(baseline, canary, 0.98).shift).toBeCloseTo(0.5, 2);
  });

  it('refuses sizes that cannot be tested', () => {
    expect(() => mannWhitneyUOfGroups({ values: [], counts: [] }, { values: [1], counts: [1] })).toThrow(RangeError);
    expect(() => hodgesLehmannOfGroups({ values: [1], counts: [1] }, { values: [1], counts: [1] }, 1)).toThrow(RangeError);
  });

  describe('in the canary judge', () => {
    const config = { groups: [{ name: 'latency', weight: 1, metrics: [{ name: 'latency', kind: 'continuous' as const, critical: true, tolerance: 0.1, absoluteTolerance: 1, minimumSamples: 100 }] }] };

    it('fails a canary whose histogram sits 50 ms higher', () => {
      const verdict = judgeCanary(config, { baseline: { latency: { values: [0.5, 1.5], counts: [300, 700] } }, canary: { latency: { values: [37.5, 75], counts: [100, 900] } } });
      expect(verdict.verdict).toBe('fail');
      expect(verdict.metrics[0]).toMatchObject({ test: 'mann-whitney-normal', regression: true, baseline: { count: 1_000, median: 1.5 }, canary: { count: 1_000, median: 75 } });
    });

    it('passes the same histogram on both sides, and calls too few requests insufficient', () => {
      const same = { values: [0.5, 1.5, 3.5], counts: [300, 600, 100] };
      expect(judgeCanary(config, { baseline: { latency: same }, canary: { latency: same } }).verdict).toBe('pass');
      expect(judgeCanary(config, { baseline: { latency: same }, canary: { latency: { values: [1.5], counts: [99] } } }).verdict).toBe('insufficient-data');
    });

    it('groups raw samples on one side to compare with a histogram on the other', () => {
      const verdict = judgeCanary(config, { baseline: { latency: { values: [1.5], counts: [200] } }, canary: { latency: Array.from({ length: 200 }, () => 1.5) } });
      expect(verdict.verdict).toBe('pass');
    });

    it('names the field of a malformed histogram', () => {
      expect(() => judgeCanary(config, { baseline: { latency: { values: [2, 1], counts: [1, 1] } }, canary: { latency: [1] } })).toThrow('baseline.latency.values[1] must be a finite number above the one before it, got 1');
      expect(() => judgeCanary(config, { baseline: { latency: { values: [1], counts: [1.5] } }, canary: { latency: [1] } })).toThrow('baseline.latency.counts[0] must be a non-negative integer, got 1.5');
    });
  });
});
