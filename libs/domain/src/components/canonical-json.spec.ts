import { canonicalJson } from './canonical-json';

describe(canonicalJson.name, () => {
  const sut = canonicalJson;

  it('sorts keys at every depth', () => {
    expect(sut({ b: 1, a: { d: [{ y: 1, x: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[{"x":2,"y":1}]},"b":1}');
  });

  it('gives the same text whatever order keys were written in', () => {
    expect(sut({ port: 8080, artifact: 'a', nested: { z: true, m: 'x' } })).toBe(sut({ nested: { m: 'x', z: true }, artifact: 'a', port: 8080 }));
  });

  it('keeps array order, which carries meaning', () => {
    expect(sut([2, 1])).not.toBe(sut([1, 2]));
  });

  it('omits undefined object entries and writes undefined array items as null, as JSON.stringify does', () => {
    expect(sut({ a: undefined, b: [undefined] })).toBe(JSON.stringify({ a: undefined, b: [undefined] }));
  });

  it('escapes strings and keys as JSON', () => {
    const value = { 'k"ey': 'line\nbreak "quoted" ✓' };
    expect(JSON.parse(sut(value))).toEqual(value);
  });

  it('sorts by code unit, not by locale', () => {
    expect(sut({ b: 1, B: 2, a: 3, ä: 4 })).toBe('{"B":2,"a":3,"b":1,"ä":4}');
  });

  it('accepts objects without a prototype', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { b: 1, a: 2 });
    expect(sut(bare)).toBe('{"a":2,"b":1}');
  });

  it.each([
    [{ n: Number.NaN }, 'NaN at $.n'],
    [[Number.POSITIVE_INFINITY], 'Infinity at $[0]'],
    [{ when: new Date(0) }, 'plain objects only, got Date at $.when'],
    [{ big: BigInt(1) }, 'bigint at $.big'],
    [{ run: () => 1 }, 'function at $.run'],
  ])('refuses %p instead of changing it silently', (value, problem) => {
    expect(() => sut(value)).toThrow(problem);
  });
});
