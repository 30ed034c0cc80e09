import { CHART_SERIES, chartColumns } from './chart-data';

describe(chartColumns.name, () => {
  it('puts observed values, the forecast band after them and anomaly markers on one sorted time axis', () => {
    const sut = chartColumns(
      [
        { timestamp: 20_000, value: 2 },
        { timestamp: 10_000, value: 1 },
      ],
      [{ at: new Date(30_000).toISOString(), value: 3, lower: 2.5, upper: 3.5 }],
      [{ at: new Date(20_000).toISOString(), observed: 2, severity: 'high' }],
    );
    expect(sut[0]).toEqual([10, 20, 30]);
    expect(sut[CHART_SERIES.observed]).toEqual([1, 2, null]);
    expect(sut[CHART_SERIES.forecast]).toEqual([null, null, 3]);
    expect(sut[CHART_SERIES.lower]).toEqual([null, null, 2.5]);
    expect(sut[CHART_SERIES.upper]).toEqual([null, null, 3.5]);
    expect(sut[CHART_SERIES.anomalies]).toEqual([null, 2, null]);
  });

  it('answers empty columns for a series with nothing yet', () => {
    expect(chartColumns([], [], [])).toEqual([[], [], [], [], [], []]);
  });
});
