import { parseNabTimestamp } from './timestamp';

describe(parseNabTimestamp.name, () => {
  const sut = parseNabTimestamp;

  it('reads data and label timestamps as the same instant', () => {
    expect(sut('2014-04-10 07:15:00')).toBe(sut('2014-04-10 07:15:00.000000'));
    expect(sut('2014-04-10 07:15:00')).toBe(Date.UTC(2014, 3, 10, 7, 15, 0));
  });

  it('keeps fractions of a second', () => {
    expect(sut('2014-04-10 07:15:00.5') - sut('2014-04-10 07:15:00')).toBe(500);
  });

  it('rejects anything else', () => {
    expect(() => sut('10/04/2014 07:15')).toThrow(/not a NAB timestamp/);
  });
});
