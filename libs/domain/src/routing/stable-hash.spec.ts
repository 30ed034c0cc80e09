import { saltedUniform, stableHash } from './stable-hash';

const TWO_TO_32 = 0x1_0000_0000;

describe(stableHash.name, () => {
  it('maps a key to the same unsigned 32-bit number every time', () => {
    const sut = stableHash('user-42');
    expect(stableHash('user-42')).toBe(sut);
    expect(Number.isInteger(sut) && sut >= 0 && sut < TWO_TO_32).toBe(true);
  });

  it('spreads similar keys evenly over the range', () => {
    const buckets = new Array<number>(10).fill(0);
    for (let index = 0; index < 10_000; index++) {
      buckets[Math.floor((stableHash(`session-${index}`) / TWO_TO_32) * 10)]++;
    }

    buckets.forEach((count) => expect(Math.abs(count - 1_000)).toBeLessThan(150));
  });

  it('distinguishes keys that differ in one character', () => {
    expect(stableHash('abc1')).not.toBe(stableHash('abc2'));
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
