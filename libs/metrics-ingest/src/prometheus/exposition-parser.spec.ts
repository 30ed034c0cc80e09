import { ExpositionSyntaxError, parseExposition } from './exposition-parser';

describe(parseExposition.name, () => {
  it('reads samples with labels, escapes, special values and timestamps, skipping comments', () => {
    const sut = parseExposition(
      [
        '# HELP http_requests_total The total.',
        '# TYPE http_requests_total counter',
        'http_requests_total{method="post",code="200"} 1027 1395066363000',
        'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
        'metric_without_labels -Inf',
        '',
        'nan_metric{} NaN',
      ].join('\n'),
    );
    expect(sut).toHaveLength(4);
    expect(sut[0]).toEqual({ labels: { __name__: 'http_requests_total', method: 'post', code: '200' }, value: 1027, timestamp: 1395066363000, line: 3 });
    expect(sut[1]!.labels).toEqual({ __name__: 'msdos_file_access_time_seconds', path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' });
    expect(sut[1]!.value).toBe(1.458255915e9);
    expect(sut[2]).toEqual({ labels: { __name__: 'metric_without_labels' }, value: Number.NEGATIVE_INFINITY, line: 5 });
    expect(sut[3]!.value).toBeNaN();
  });

  it.each([
    ['bad{a="1" 2', 'expected'],
    ['bad{a="1"} twelve', 'not a number'],
    ['bad 1 2 3', 'expected a value'],
    ['bad{a="1",a="2"} 1', 'appears twice'],
    ['bad 1 12.5', 'not a timestamp'],
    ['{a="1"} 1', 'metric name'],
  ])('refuses %p naming the line', (line, reason) => {
    const attempt = () => parseExposition(`ok 1\n${line}\n`);
    expect(attempt).toThrow(ExpositionSyntaxError);
    expect(attempt).toThrow(new RegExp(`^line 2: .*${reason}`));
  });
});
