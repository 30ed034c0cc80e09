import { readQueryRangeAnswer } from './query-range-response';

describe(readQueryRangeAnswer.name, () => {
  it('reads a matrix: seconds become milliseconds, values numbers, Prometheus infinities included', () => {
    const sut = readQueryRangeAnswer(200, {
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [{ metric: { __name__: 'up', job: 'api' }, values: [[1764201600, '1'], [1764201600.5, '+Inf'], [1764201601, '-Inf'], [1764201602, 'NaN']] }],
      },
      warnings: ['careful'],
    });
    expect(sut).toEqual({
      ok: true,
      warnings: ['careful'],
      series: [
        {
          labels: { __name__: 'up', job: 'api' },
          path: 'result[0]',
          samples: [
            { timestamp: 1764201600000, value: 1 },
            { timestamp: 1764201600500, value: Number.POSITIVE_INFINITY },
            { timestamp: 1764201601000, value: Number.NEGATIVE_INFINITY },
            { timestamp: 1764201602000, value: Number.NaN },
          ],
        },
      ],
    });
  });

  it("names Prometheus' own error", () => {
    expect(readQueryRangeAnswer(400, { status: 'error', errorType: 'bad_data', error: 'parse error at char 4' })).toEqual({
      ok: false,
      error: 'Prometheus answered 400: bad_data: parse error at char 4',
    });
  });

  it('refuses an HTTP error without a Prometheus body, and answers that are not a matrix', () => {
    expect(readQueryRangeAnswer(502, null)).toEqual({ ok: false, error: 'Prometheus answered 502' });
    expect(readQueryRangeAnswer(200, { status: 'success', data: { resultType: 'vector', result: [] } })).toEqual({
      ok: false,
      error: 'not a query_range answer (status success, resultType vector)',
    });
    expect(readQueryRangeAnswer(200, { status: 'success', data: { resultType: 'matrix', result: [{ metric: { a: 1 }, values: [] }] } })).toEqual({
      ok: false,
      error: 'result[0] is not a series of the matrix',
    });
    expect(readQueryRangeAnswer(200, { status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: [['x', '1']] }] } })).toEqual({
      ok: false,
      error: 'result[0].values holds a point that is not [time, "value"]',
    });
  });
});
