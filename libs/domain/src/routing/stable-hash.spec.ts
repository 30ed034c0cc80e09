import { saltedUniform, stableHash, stableUniform } from './stable-hash';

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

describe(saltedUniform.name, () => {
  it('stays inside the open interval (0, 1)', () => {
    for (const keyHash of [0, 1, 0xffffffff, stableHash('a')]) {
      for (const salt of [0, 1, 0xffffffff]) {
        const sut = saltedUniform(keyHash, salt);
        expect(sut).toBeGreaterThan(0);
        expect(sut).toBeLessThan(1);
      }
    }
  });

  it('draws independent numbers for two salts of the same keys', () => {
    // Keys below 0.5 with one salt split evenly with the other salt: no correlation between salts.
    const salts = [stableHash('v1'), stableHash('v2')];
    let lowWithFirst = 0;
    let lowWithBoth = 0;
    for (let index = 0; index < 20_000; index++) {
      const keyHash = stableHash(`session-${index}`);
      if (saltedUniform(keyHash, salts[0]) < 0.5) {
        lowWithFirst++;
        lowWithBoth += saltedUniform(keyHash, salts[1]) < 0.5 ? 1 : 0;
      }
    }

    expect(Math.abs(lowWithBoth / lowWithFirst - 0.5)).toBeLessThan(0.02);
  });
});
