import { sketchOf } from './quantile-sketch';
import { aggregateRaw, aggregateRollups, chooseSource, counterRate } from './range-aggregation';

describe('range aggregation', () => {
  it(`${chooseSource.name} reads the coarsest rollup that divides the step, raw for rate`, () => {
    expect(chooseSource('avg', 300_000)).toBe('rollup-1m');
    expect(chooseSource('p95', 30_000)).toBe('rollup-10s');
    expect(chooseSource('sum', 15_000)).toBe('raw');
    expect(chooseSource('rate', 60_000)).toBe('raw');
  });

  it(`${aggregateRollups.name} merges buckets into steps`, () => {
    const rows = [
      { bucket: 0, count: 2, sum: 3, min: 1, max: 2, sketch: sketchOf([1, 2]) },
      { bucket: 10_000, count: 1, sum: 10, min: 10, max: 10, sketch: sketchOf([10]) },
      { bucket: 20_000, count: 1, sum: 4, min: 4, max: 4, sketch: sketchOf([4]) },
    ];
    expect(aggregateRollups(rows, 20_000, 'avg')).toEqual([
      { timestamp: 0, value: 13 / 3 },
      { timestamp: 20_000, value: 4 },
    ]);
    expect(aggregateRollups(rows, 20_000, 'max')).toEqual([
      { timestamp: 0, value: 10 },
      { timestamp: 20_000, value: 4 },
    ]);
    expect(aggregateRollups(rows, 20_000, 'p99')[0]!.value).toBe(10);
    expect(rows[0]!.count).toBe(2);
  });

  it(`${aggregateRaw.name} computes exact values per step`, () => {
    const samples = [
      { timestamp: 1_000, value: 5 },
      { timestamp: 2_000, value: 1 },
      { timestamp: 6_000, value: 3 },
    ];
    expect(aggregateRaw(samples, 5_000, 'sum')).toEqual([
      { timestamp: 0, value: 6 },
      { timestamp: 5_000, value: 3 },
    ]);
    expect(aggregateRaw(samples, 5_000, 'p50')).toEqual([
      { timestamp: 0, value: 1 },
      { timestamp: 5_000, value: 3 },
    ]);
  });

  it(`${counterRate.name} treats a drop as a counter reset`, () => {
    const samples = [0, 10, 20, 5, 15].map((value, index) => ({ timestamp: index * 10_000, value }));
    expect(counterRate(samples, 20_000, 0)).toEqual([
      { timestamp: 0, value: 10 / 20 },
      { timestamp: 20_000, value: (10 + 5) / 20 },
      { timestamp: 40_000, value: 10 / 20 },
    ]);
  });
});
