import { AliasTable } from './alias-table';

describe(AliasTable.name, () => {
  it('gives each index the probability of its weight', () => {
    const sut = new AliasTable([9, 1, 0, 5]);

    const probabilities = sut.probabilities();

    [9 / 15, 1 / 15, 0, 5 / 15].forEach((expected, index) => expect(probabilities[index]).toBeCloseTo(expected, 12));
  });

  it('picks by weight over a uniform sweep of [0, 1)', () => {
    const sut = new AliasTable([3, 1]);
    const counts = [0, 0];
    const steps = 10_000;

    for (let step = 0; step < steps; step++) {
      counts[sut.pick(step / steps)]++;
    }

    expect(counts[0] / steps).toBeCloseTo(0.75, 3);
    expect(counts[1] / steps).toBeCloseTo(0.25, 3);
  });

  it('never picks an index of weight 0', () => {
    const sut = new AliasTable([0, 2, 0]);

    const picks = new Set(Array.from({ length: 1_000 }, (_, step) => sut.pick(step / 1_000)));

    expect([...picks]).toEqual([1]);
  });

  it('stays inside the table for a uniform just below 1', () => {
    const sut = new AliasTable([1, 1, 1]);

    expect(sut.pick(0.9999999999999999)).toBeLessThan(3);
  });

  it('is deterministic for one uniform', () => {
    const sut = new AliasTable([5, 3, 2]);

    expect(sut.pick(0.4242)).toBe(sut.pick(0.4242));
  });

  it.each([[[]], [[0, 0]], [[-1, 0]], [[Number.NaN]]])('refuses weights %j that cannot pick anything', (weights) => {
    expect(() => new AliasTable(weights)).toThrow(RangeError);
  });

  it('treats negative and non-finite weights as 0', () => {
    const sut = new AliasTable([-5, 1, Number.POSITIVE_INFINITY]);

    expect(sut.probabilities()).toEqual([0, 1, 0]);
    expect(sut.size).toBe(3);
  });
});
