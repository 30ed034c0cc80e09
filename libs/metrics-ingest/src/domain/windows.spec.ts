import { RELATIVE_ACCURACY, sketchOf } from './quantile-sketch';
import { dueWindows, windowAggregate } from './windows';

const schedule = { intervalMs: 10_000, graceMs: 2_000, maxCatchUpWindows: 3 };

describe('windows', () => {
  it(`${dueWindows.name} publishes only the latest complete window on first run`, () => {
    expect(dueWindows(null, 125_000, schedule)).toEqual([{ start: 110_000, end: 120_000 }]);
    expect(dueWindows(null, 121_000, schedule)).toEqual([{ start: 100_000, end: 110_000 }]);
  });

  it(`${dueWindows.name} continues from the cursor, catching up at most maxCatchUpWindows`, () => {
    expect(dueWindows(100_000, 125_000, schedule)).toEqual([
      { start: 100_000, end: 110_000 },
      { start: 110_000, end: 120_000 },
    ]);
    expect(dueWindows(0, 125_000, schedule)).toHaveLength(3);
    expect(dueWindows(120_000, 125_000, schedule)).toEqual([]);
  });

  it(`${windowAggregate.name} merges buckets`, () => {
    const sut = windowAggregate(0, 10_000, [
      { count: 2, sum: 3, min: 1, max: 2, sketch: sketchOf([1, 2]) },
      { count: 1, sum: 7, min: 7, max: 7, sketch: sketchOf([7]) },
    ]);
    expect(sut).toMatchObject({ count: 3, sum: 10, min: 1, max: 7, mean: 10 / 3 });
    expect(Math.abs(sut.p99! - 7)).toBeLessThanOrEqual(7 * RELATIVE_ACCURACY);
    expect(windowAggregate(0, 10_000, [])).toMatchObject({ count: 0, mean: null, min: null, p50: null });
  });
});
