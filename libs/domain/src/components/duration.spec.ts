import { isDuration, parseDuration } from './duration';

describe(parseDuration.name, () => {
  const sut = parseDuration;

  it.each([
    ['250ms', 250],
    ['5s', 5_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1h2m3s4ms', 3_723_004],
    ['0s', 0],
  ])('reads %p as %p milliseconds', (text, milliseconds) => {
    expect(sut(text)).toBe(milliseconds);
  });

  it.each(['', '5', 's', '5 s', ' 5s', '5S', '1.5s', '-1s', '5d', '30s1m', '1s1s', '5sec', '1m30', 'ms'])('refuses %p', (text) => {
    expect(sut(text)).toBeUndefined();
  });

  it('refuses durations too long to count exactly', () => {
    expect(sut(`${'9'.repeat(20)}h`)).toBeUndefined();
  });
});

describe(isDuration.name, () => {
  const sut = isDuration;

  it('accepts duration strings only', () => {
    expect([sut('5s'), sut('five'), sut(5), sut(undefined)]).toEqual([true, false, false, false]);
  });
});
