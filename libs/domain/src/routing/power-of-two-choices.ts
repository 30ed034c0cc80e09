/**
 * Power of two choices: two random candidates, the less loaded wins. Nearly as good as
 * least-loaded over all nodes, O(1), and without the herd effect of everyone picking the minimum.
 * `candidates` holds only nodes that may take traffic (healthy, not ejected).
 */
export function pickLessLoadedOfTwo<TNode>(candidates: readonly TNode[], load: (node: TNode) => number, random: () => number): TNode | undefined {
  const count = candidates.length;
  if (count <= 1) {
    return candidates[0];
  }
  const first = Math.floor(random() * count);
  // A second index different from the first, without a retry loop.
  const second = (first + 1 + Math.floor(random() * (count - 1))) % count;
  const a = candidates[first];
  const b = candidates[second];
  return load(b) < load(a) ? b : a;
}
