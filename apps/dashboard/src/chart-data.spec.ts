import { CHART_SERIES, chartColumns, gapBreaks, utcStamp, valueCount } from './chart-data';

describe(chartColumns.name, () => {
  it('puts observed values, the forecast band after them and anomaly markers on one sorted time axis', () => {
    const sut = chartColumns(
      [
        { timestamp: 20_000, value: 2 },
        { timestamp: 10_000, value: 1 },
      ],
      [{ at: new Date(30_000).toISOString(), value: 3, lower: 2.5, upper: 3.5 }],
      [{ at: new Date(20_000).toISOString(), observed: 2, severity: 'high' }],
      10_000,
    );
    expect(sut[0]).toEqual([10, 20, 30]);
    expect(sut[CHART_SERIES.observed]).toEqual([1, 2, undefined]);
    expect(sut[CHART_SERIES.forecast]).toEqual([undefined, undefined, 3]);
    expect(sut[CHART_SERIES.lower]).toEqual([undefined, undefined, 2.5]);
    expect(sut[CHART_SERIES.upper]).toEqual([undefined, undefined, 3.5]);
    expect(sut[CHART_SERIES.anomalies]).toEqual([undefined, 2, undefined]);
  });

  it('breaks the observed line with a null one step after the last point before a gap of more than two steps', () => {
    const sut = chartColumns(
      [
        { timestamp: 10_000, value: 1 },
        { timestamp: 20_000, value: 2 },
        { timestamp: 80_000, value: 8 },
      ],
      [],
      [],
      10_000,
    );
    expect(sut[0]).toEqual([10, 20, 30, 80]);
    expect(sut[CHART_SERIES.observed]).toEqual([1, 2, null, 8]);
  });

  it('leaves the observed line whole past times only another column has a value at (undefined, not a gap)', () => {
    const sut = chartColumns(
      [
        { timestamp: 0, value: 1 },
        { timestamp: 60_000, value: 2 },
      ],
      [{ at: new Date(30_000).toISOString(), value: 3, lower: 2, upper: 4 }],
      [],
      60_000,
    );
    expect(sut[0]).toEqual([0, 30, 60]);
    expect(sut[CHART_SERIES.observed]).toEqual([1, undefined, 2]);
  });

  it('answers empty columns for a series with nothing yet', () => {
    expect(chartColumns([], [], [], 10_000)).toEqual([[], [], [], [], [], []]);
  });
});

describe(gapBreaks.name, () => {
  it('breaks after each point the next one follows by more than twice the step, not at a step or two', () => {
    expect(gapBreaks([0, 10, 30, 61, 70, 200], 10)).toEqual([40, 80]);
  });

  it('has nothing to break with fewer than two points', () => {
    expect(gapBreaks([], 10)).toEqual([]);
    expect(gapBreaks([5], 10)).toEqual([]);
  });
});

describe(valueCount.name, () => {
  it('counts values, neither gaps nor times without a value', () => {
    expect(valueCount([1, null, undefined, 0, 2])).toBe(3);
  });
});

describe(utcStamp.name, () => {
  it('says an epoch time in UTC, marked so, whatever the zone of the process', () => {
    expect(utcStamp(Date.UTC(2026, 10, 27, 14, 5, 30) / 1000)).toBe('2026-11-27 14:05:30 UTC');
  });
});
