import { observedEffect } from './observed-effect';
import { SeriesWindows, predictedReduction, windowEffect } from './window-effect';

describe(windowEffect.name, () => {
  const promotedAt = new Date('2026-12-08T10:00:00Z');
  const observedAt = new Date('2026-12-08T10:15:02Z');
  const series = (metric: string, before: number[], after: number[], node: string | null = null): SeriesWindows => ({ seriesId: `s-${metric}-${node ?? ''}`, metric, node, stackConfig: null, before, after });
  const base = { windowMs: 900_000, promotedAt, observedAt, statements: null, predictedReduction: null };

  it('judges the statements measured on production first, beside the prediction and the KPI series', () => {
    const statements = observedEffect(['a'], [{ medianMs: 40 }], [{ medianMs: 2 }], 0.9, 'explain', observedAt);
    const sut = windowEffect({ ...base, statements, predictedReduction: 0.9, series: [series('db_query_mean_ms', [30, 50], [5, 3])] });
    expect(sut).toEqual({
      windowMs: 900_000,
      promotedAt: '2026-12-08T10:00:00.000Z',
      until: '2026-12-08T10:15:00.000Z',
      observedAt: '2026-12-08T10:15:02.000Z',
      statements,
      series: [{ seriesId: 's-db_query_mean_ms-', metric: 'db_query_mean_ms', node: null, stackConfig: null, beforeMean: 40, afterMean: 4, beforePoints: 2, afterPoints: 2, reduction: 0.9 }],
      reduction: 0.95,
      predictedReduction: 0.9,
      verdict: 'held',
      summary: 'held: observed -95 % (statement time on production), predicted -90 %',
    });
  });

  it('without statements, judges the mean reduction of the series that have values on both sides', () => {
    const sut = windowEffect({ ...base, predictedReduction: 0.5, series: [series('latency_ms', [100], [90], 'a'), series('latency_ms', [100], [70], 'b'), series('error_rate', [], [0.1])] });
    expect(sut.series.map((effect) => effect.reduction)).toEqual([0.1, 0.3, null]);
    expect(sut).toMatchObject({ reduction: 0.2, verdict: 'fell-short', summary: 'fell-short: observed -20 % (2 KPI series), predicted -50 %' });
  });

  it('says a change that made things worse was not observed, and one with no figures has no data', () => {
    expect(windowEffect({ ...base, series: [series('latency_ms', [10], [12])] })).toMatchObject({ reduction: -0.2, verdict: 'not-observed' });
    expect(windowEffect({ ...base, predictedReduction: 0.4, series: [series('latency_ms', [], [])] })).toMatchObject({ reduction: null, verdict: 'no-data', summary: 'nothing measured both before and after the promotion (predicted -40 %)' });
    expect(windowEffect({ ...base, series: [] }).verdict).toBe('no-data');
  });

  it('holds any improvement when nothing was predicted, and never divides by a zero baseline', () => {
    expect(windowEffect({ ...base, series: [series('latency_ms', [10], [9])] }).verdict).toBe('held');
    expect(windowEffect({ ...base, series: [series('errors_total', [0, 0], [0])] })).toMatchObject({ reduction: null, verdict: 'no-data' });
  });
});

describe(predictedReduction.name, () => {
  it("reads staging's measured time reduction of an index, the mean expected reduction of an app version, none for lb-weights", () => {
    expect(predictedReduction({ kind: 'index', staging: { measurement: { timeReduction: 0.93 } }, expected: { costReduction: 0.99 } })).toBe(0.93);
    expect(predictedReduction({ kind: 'index', staging: null, expected: {} })).toBeNull();
    const metrics = [{ metric: 'errors', expectedReduction: 0.8 }, { metric: 'latency', expectedReduction: 0.3 }, { metric: 'p99', expectedReduction: null }];
    expect(predictedReduction({ kind: 'app-version', staging: null, expected: { metrics } })).toBe(0.55);
    expect(predictedReduction({ kind: 'app-version', staging: null, expected: { metrics: [] } })).toBeNull();
    expect(predictedReduction({ kind: 'lb-weights', staging: { validated: true }, expected: { nodes: [] } })).toBeNull();
  });
});
