import { pickLessLoadedOfTwo } from './power-of-two-choices';

interface FakeNode {
  id: string;
  outstanding: number;
}

const load = (node: FakeNode): number => node.outstanding;

/** Plays back the given uniforms, so the two candidates are known. */
function randomOf(...values: number[]): () => number {
  let next = 0;
  return () => values[next++ % values.length];
}

describe(pickLessLoadedOfTwo.name, () => {
  it('returns undefined when there is no candidate', () => {
    expect(pickLessLoadedOfTwo<FakeNode>([], load, Math.random)).toBeUndefined();
  });

  it('returns the only candidate', () => {
    const only = { id: 'a', outstanding: 99 };

    expect(pickLessLoadedOfTwo([only], load, Math.random)).toBe(only);
  });

  it('prefers the less loaded of the two sampled candidates', () => {
    const nodes = [
      { id: 'a', outstanding: 5 },
      { id: 'b', outstanding: 1 },
      { id: 'c', outstanding: 0 },
    ];

    // first = floor(0 * 3) = a; second = (0 + 1 + floor(0 * 2)) % 3 = b
    const sut = pickLessLoadedOfTwo(nodes, load, randomOf(0, 0));

    expect(sut?.id).toBe('b');
  });

  it('keeps the first candidate on a tie', () => {
    const nodes = [
      { id: 'a', outstanding: 1 },
      { id: 'b', outstanding: 1 },
    ];

    expect(pickLessLoadedOfTwo(nodes, load, randomOf(0, 0))?.id).toBe('a');
  });

  it('never samples the same candidate twice', () => {
    const nodes = [
      { id: 'a', outstanding: 3 },
      { id: 'b', outstanding: 7 },
    ];

    // first = b; second must be a, whatever the second uniform is
    expect(pickLessLoadedOfTwo(nodes, load, randomOf(0.99, 0.99))?.id).toBe('a');
  });

  it('never picks the most loaded node of three', () => {
    const nodes = [
      { id: 'a', outstanding: 100 },
      { id: 'b', outstanding: 1 },
      { id: 'c', outstanding: 2 },
    ];

    const picked = new Set(Array.from({ length: 500 }, () => pickLessLoadedOfTwo(nodes, load, Math.random)?.id));

    expect(picked.has('a')).toBe(false);
  });
});
