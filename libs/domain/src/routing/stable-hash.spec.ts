import { stableUniform } from './stable-hash';

describe(stableUniform.name, () => {
  it('maps a key to the same number every time', () => {
    expect(stableUniform('user-42')).toBe(stableUniform('user-42'));
  });

  it('stays in [0, 1)', () => {
    for (let index = 0; index < 1_000; index++) {
      const sut = stableUniform(`key-${index}`);
      expect(sut).toBeGreaterThanOrEqual(0);
      expect(sut).toBeLessThan(1);
    }
  });

  it('spreads similar keys evenly over the range', () => {
    const buckets = new Array<number>(10).fill(0);
    for (let index = 0; index < 10_000; index++) {
      buckets[Math.floor(stableUniform(`session-${index}`) * 10)]++;
    }

    buckets.forEach((count) => expect(Math.abs(count - 1_000)).toBeLessThan(150));
  });

  it('distinguishes keys that differ in one character', () => {
    expect(stableUniform('abc1')).not.toBe(stableUniform('abc2'));
  });
});
