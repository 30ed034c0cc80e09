import type { ConsumerPosition } from '@strata/messaging';
import { AppliedWatermark, longestHoldMs, publishableUntil } from './applied-watermark';
import { dueWindows } from './windows';

const positions = (...pairs: Array<[applied: number, end: number]>): ConsumerPosition[] => pairs.map(([applied, end], partition) => ({ partition, applied, end }));

describe(AppliedWatermark.name, () => {
  it('knows no moment before it has seen the consumer reach what was written', () => {
    const sut = new AppliedWatermark();
    expect(sut.observe(1_000, positions([0, 5], [3, 3]))).toBeNull();
    expect(sut.at).toBeNull();
  });

  it('is the moment itself when every partition is applied to its end', () => {
    const sut = new AppliedWatermark();
    expect(sut.observe(1_000, positions([5, 5], [3, 3]))).toBe(1_000);
    expect(sut.observe(2_000, positions([7, 7], [0, 0]))).toBe(2_000);
  });

  it('moves to the latest probe the consumer has passed on every partition, under traffic that never lets it reach the end', () => {
    const sut = new AppliedWatermark();
    expect(sut.observe(1_000, positions([0, 10], [0, 10]))).toBeNull();
    expect(sut.observe(2_000, positions([10, 20], [5, 20]))).toBeNull(); // partition 1 still behind the first probe's 10
    expect(sut.observe(3_000, positions([20, 30], [20, 30]))).toBe(2_000);
    expect(sut.observe(4_000, positions([25, 40], [30, 40]))).toBe(2_000); // partition 0 behind the 3 s probe's 30
    expect(sut.observe(5_000, positions([40, 50], [40, 50]))).toBe(4_000);
    // Two probes passed at once: the later one counts.
    const behind = new AppliedWatermark();
    behind.observe(8_000, positions([60, 80]));
    behind.observe(9_000, positions([70, 90]));
    expect(behind.observe(10_000, positions([95, 100]))).toBe(9_000);
  });

  it('does not move for a partition it cannot see', () => {
    const sut = new AppliedWatermark();
    sut.observe(1_000, positions([0, 10], [0, 10]));
    expect(sut.observe(2_000, [{ partition: 0, applied: 10, end: 12 }])).toBeNull();
  });

  it('stays where it was while the log does not move and the consumer is stuck behind it', () => {
    const sut = new AppliedWatermark();
    sut.observe(1_000, positions([4, 4]));
    for (let at = 2_000; at < 2_000_000; at += 1_000) sut.observe(at, positions([4, 9]));
    expect(sut.at).toBe(1_000);
    expect(sut.observe(2_000_000, positions([9, 9]))).toBe(2_000_000);
  });
});

describe(publishableUntil.name, () => {
  const schedule = { intervalMs: 10_000, graceMs: 2_000, maxCatchUpWindows: 6 };
  const started = 100_000;

  it('holds at most one window less than the catch-up span', () => {
    expect(longestHoldMs(schedule)).toBe(50_000);
    expect(longestHoldMs({ ...schedule, maxCatchUpWindows: 1 })).toBe(0);
  });

  it('publishes nothing until the watermark is known, for at most the longest hold after the start', () => {
    expect(publishableUntil(started + 1_000, null, started, schedule)).toBeNull();
    expect(publishableUntil(started + 50_000, null, started, schedule)).toBeNull();
    expect(publishableUntil(started + 51_000, null, started, schedule)).toBe(started + 1_000);
  });

  it('publishes up to the watermark, never beyond now', () => {
    expect(publishableUntil(200_000, 199_000, started, schedule)).toBe(199_000);
    expect(publishableUntil(200_000, 200_000, started, schedule)).toBe(200_000);
    expect(publishableUntil(200_000, 210_000, started, schedule)).toBe(200_000);
  });

  it('holds windows behind a stuck consumer for the longest hold, then lets them go that much late', () => {
    expect(publishableUntil(200_000, 150_000, started, schedule)).toBe(150_000);
    expect(publishableUntil(200_001, 150_000, started, schedule)).toBe(150_001);
    expect(publishableUntil(500_000, 150_000, started, schedule)).toBe(450_000);
  });

  it.each(Array.from({ length: 40 }, (_, index) => 140_000 + index * 1_000))(
    'publishes every window once, in order, when a consumer stuck at 100 s catches up at %i ms (ticks every second)',
    (releasedAt) => {
      const published: Array<{ start: number; end: number }> = [];
      let cursor: number | null = 90_000;
      for (let now = 101_000; now <= releasedAt + 30_000; now += 1_000) {
        const until = publishableUntil(now, now < releasedAt ? 100_000 : now, 0, schedule);
        if (until === null) continue;
        const due = dueWindows(cursor, until, schedule);
        published.push(...due);
        cursor = due.at(-1)?.end ?? cursor;
      }
      const ends = published.map((window) => window.end);
      expect(ends[0]).toBe(100_000);
      expect(ends).toEqual(ends.map((_, index) => 100_000 + index * 10_000));
      expect(ends.at(-1)).toBe(Math.floor((releasedAt + 28_000) / 10_000) * 10_000);
    },
  );
});
