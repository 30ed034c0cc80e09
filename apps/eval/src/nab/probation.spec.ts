import { probationaryLength } from './probation';

describe(probationaryLength.name, () => {
  const sut = probationaryLength;

  it('is 15 % of the rows, rounded down', () => {
    expect(sut(4032)).toBe(604);
    expect(sut(1127)).toBe(169);
  });

  it('stops at 750 rows (15 % of 5000)', () => {
    expect(sut(5000)).toBe(750);
    expect(sut(15833)).toBe(750);
  });

  it('follows another probation share', () => {
    expect(sut(1000, 0.1)).toBe(100);
    expect(sut(1000, 0)).toBe(0);
  });
});
