import { resolveWindowSpans } from './windows';

describe(resolveWindowSpans.name, () => {
  const sut = resolveWindowSpans;
  const timestamps = [0, 10, 20, 30, 40, 50, 60];

  it('maps exact limits to their rows', () => {
    expect(sut(timestamps, [{ start: 20, end: 40 }])).toEqual([{ startIndex: 2, endIndex: 4 }]);
  });

  it('snaps limits between rows inwards and sorts windows by start', () => {
    expect(sut(timestamps, [{ start: 45, end: 61 }, { start: 5, end: 25 }])).toEqual([
      { startIndex: 1, endIndex: 2 },
      { startIndex: 5, endIndex: 6 },
    ]);
  });

  it('drops a window that holds no row', () => {
    expect(sut(timestamps, [{ start: 41, end: 49 }])).toEqual([]);
  });
});
