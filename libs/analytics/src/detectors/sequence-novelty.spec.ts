import { SequenceNovelty } from './sequence-novelty';

describe(SequenceNovelty.name, () => {
  const parameters = { bins: 10, order: 3 };
  const expectCloseTo = (actual: readonly number[], expected: readonly number[]): void => {
    expect(actual).toHaveLength(expected.length);
    actual.forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 12));
  };

  it('grades its surprise by the share of the context\'s suffixes never seen, and is not surprised by a repeated pattern', () => {
    const sut = new SequenceNovelty(parameters);
    const pattern = [0, 5, 9, 5];
    const first = pattern.map((value) => sut.update(value, 0, 10));
    const later = Array.from({ length: 12 }, (_, i) => sut.update(pattern[i % 4]!, 0, 10));
    // Levels 0, 5, 9, 5: the last 5 is a known level, but "9,5" and "5,9,5" are new.
    expectCloseTo(first, [1 / 3, 2 / 3, 1, 2 / 3]);
    // 0 after "9,5": a known level in a new pair and triple; then 5 after "5,0": only the triple is new.
    expectCloseTo(later.slice(0, 2), [2 / 3, 1 / 3]);
    expect(later.slice(2)).toEqual(new Array<number>(10).fill(0));
  });

  it('sees a changed shape whose values are all familiar, less surely than a level never seen', () => {
    const sut = new SequenceNovelty(parameters);
    for (let i = 0; i < 40; i++) sut.update([0, 5, 9, 5][i % 4]!, 0, 10);
    // The same levels in an order never seen: 9 after "5,9" is a known pair in a new triple; then "9,0" and "0,9" are new pairs.
    expectCloseTo([9, 0, 9].map((value) => sut.update(value, 0, 10)), [1 / 3, 2 / 3, 2 / 3]);
    // A level never seen is new at every order.
    expect(sut.update(2, 0, 10)).toBe(1);
  });

  it('rebuilds what it knows of shorter contexts from a stored state of full contexts', () => {
    const sut = new SequenceNovelty(parameters, { recent: [0, 5, 9], counts: { '0,5,9': 3, '5,9,0': 3, '9,0,5': 3 } });
    // "0" and "9,0" are suffixes of stored contexts, "5,9,0" a stored context.
    expect(sut.update(0, 0, 10)).toBe(0);
    // 7 is a new level: new at every order.
    expect(sut.update(7, 0, 10)).toBe(1);
  });

  it('ignores missing values and an empty range', () => {
    const sut = new SequenceNovelty(parameters);
    expect(sut.update(Number.NaN, 0, 10)).toBe(0);
    expect(sut.update(3, 3, 3)).toBe(0);
  });

  it('rejects fewer than two bins', () => {
    expect(() => new SequenceNovelty({ bins: 1, order: 3 })).toThrow(/bins/);
  });

  it('restores from its JSON state', () => {
    const sut = new SequenceNovelty(parameters);
    [1, 2, 3, 1, 2].forEach((value) => sut.update(value, 0, 10));
    const restored = SequenceNovelty.fromJSON(JSON.parse(JSON.stringify(sut.toJSON())));
    expect([3, 7, 1].map((value) => restored.update(value, 0, 10))).toEqual([3, 7, 1].map((value) => sut.update(value, 0, 10)));
  });
});
