import { SequenceNovelty } from './sequence-novelty';

describe(SequenceNovelty.name, () => {
  const parameters = { bins: 10, order: 3 };

  it('is surprised by each new context and not by a repeated one', () => {
    const sut = new SequenceNovelty(parameters);
    const pattern = [0, 5, 9, 5];
    const first = pattern.map((value) => sut.update(value, 0, 10));
    const later = Array.from({ length: 12 }, (_, i) => sut.update(pattern[i % 4]!, 0, 10));
    expect(first).toEqual([1, 1, 1, 1]);
    expect(later.slice(2)).toEqual(new Array<number>(10).fill(0));
  });

  it('sees a changed shape whose values are all familiar', () => {
    const sut = new SequenceNovelty(parameters);
    for (let i = 0; i < 40; i++) sut.update([0, 5, 9, 5][i % 4]!, 0, 10);
    // The same levels, in an order never seen.
    expect([9, 0, 9].map((value) => sut.update(value, 0, 10))).toContain(1);
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
