import { QueryWindowInput, nextQueryWindow } from './query-window';

const base: QueryWindowInput = { cursor: null, now: 1_000_000_500, stepMs: 10_000, delayMs: 0, backfillMs: 0, acceptedFrom: 0, maxPoints: 100 };

describe(nextQueryWindow.name, () => {
  it('starts with the last whole step before now minus the delay, or the backfill before it', () => {
    expect(nextQueryWindow(base)).toEqual({ start: 1_000_000_000, end: 1_000_000_000, caughtUp: true });
    expect(nextQueryWindow({ ...base, delayMs: 30_000 })).toEqual({ start: 999_970_000, end: 999_970_000, caughtUp: true });
    expect(nextQueryWindow({ ...base, backfillMs: 60_000 })).toEqual({ start: 999_940_000, end: 1_000_000_000, caughtUp: true });
  });

  it('resumes one step after the cursor, so consecutive runs neither overlap nor leave a gap', () => {
    let cursor: number | null = null;
    const evaluated: number[] = [];
    for (let now = 1_000_000_500; now < 1_000_100_000; now += 7_300) {
      const window = nextQueryWindow({ ...base, cursor, now });
      if (window) {
        for (let t = window.start; t <= window.end; t += base.stepMs) evaluated.push(t);
        cursor = window.end;
      }
    }
    const expected = Array.from({ length: evaluated.length }, (_, index) => 1_000_000_000 + index * 10_000);
    expect(evaluated).toEqual(expected);
    expect(evaluated.length).toBeGreaterThan(5);
  });

  it('returns null while the next step is not due', () => {
    expect(nextQueryWindow({ ...base, cursor: 1_000_000_000 })).toBeNull();
    expect(nextQueryWindow({ ...base, cursor: 1_000_000_000, now: 1_000_010_000 })).toEqual({ start: 1_000_010_000, end: 1_000_010_000, caughtUp: true });
  });

  it('catches up in requests of at most maxPoints', () => {
    const sut = nextQueryWindow({ ...base, cursor: 1_000_000_000, now: 1_010_000_000, maxPoints: 10 });
    expect(sut).toEqual({ start: 1_000_010_000, end: 1_000_100_000, caughtUp: false });
  });

  it('skips what the store would refuse as older than the retention', () => {
    const sut = nextQueryWindow({ ...base, cursor: 10_000, acceptedFrom: 999_995_001 });
    expect(sut).toEqual({ start: 1_000_000_000, end: 1_000_000_000, caughtUp: true });
  });

  it('realigns a cursor that is off the grid to the next step', () => {
    expect(nextQueryWindow({ ...base, cursor: 999_985_000 })).toEqual({ start: 999_990_000, end: 1_000_000_000, caughtUp: true });
  });
});
