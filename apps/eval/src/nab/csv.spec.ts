import { parseNabCsv, parseNabWindows } from './csv';
import { parseNabTimestamp } from './timestamp';

describe(parseNabCsv.name, () => {
  const sut = parseNabCsv;

  it('reads timestamps and numeric columns by header', () => {
    const csv = sut('timestamp,value,anomaly_score\n2014-04-01 00:00:00,20.5,0.1\r\n2014-04-01 00:05:00,21,0.25\n\n');
    expect(csv.timestamps).toEqual([parseNabTimestamp('2014-04-01 00:00:00'), parseNabTimestamp('2014-04-01 00:05:00')]);
    expect(csv.columns).toEqual({ value: [20.5, 21], anomaly_score: [0.1, 0.25] });
  });

  it('needs a timestamp column', () => {
    expect(() => sut('time,value\n1,2\n')).toThrow(/timestamp/);
  });
});

describe(parseNabWindows.name, () => {
  const sut = parseNabWindows;

  it('reads windows per file', () => {
    const windows = sut({ 'a/b.csv': [['2014-04-10 07:15:00.000000', '2014-04-11 16:45:00.000000']], 'a/c.csv': [] });
    expect(windows).toEqual({
      'a/b.csv': [{ start: parseNabTimestamp('2014-04-10 07:15:00'), end: parseNabTimestamp('2014-04-11 16:45:00') }],
      'a/c.csv': [],
    });
  });

  it('rejects a malformed window', () => {
    expect(() => sut({ 'a/b.csv': [['2014-04-10 07:15:00']] })).toThrow(/\[start, end\]/);
  });
});
