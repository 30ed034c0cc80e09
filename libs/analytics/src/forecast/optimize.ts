/**
 * Minimises `objective` over the box [lower, upper]^k: the best point of a coarse grid, then a
 * compass (pattern) search that halves its step until it is below `tolerance`. Deterministic, no
 * gradients; enough for the 1–3 smoothing constants of exponential smoothing.
 */
export function minimizeInBox(
  objective: (point: readonly number[]) => number,
  dimensions: number,
  options: { lower?: number; upper?: number; gridPoints?: number; tolerance?: number } = {},
): { point: number[]; value: number } {
  const lower = options.lower ?? 0.01;
  const upper = options.upper ?? 0.99;
  const gridPoints = options.gridPoints ?? 6;
  const tolerance = options.tolerance ?? 0.002;
  const axis = Array.from({ length: gridPoints }, (_, i) => lower + ((upper - lower) * i) / (gridPoints - 1));
  let best: number[] = Array.from({ length: dimensions }, () => axis[0]);
  let bestValue = Number.POSITIVE_INFINITY;
  const visit = (prefix: number[]): void => {
    if (prefix.length === dimensions) {
      const value = objective(prefix);
      if (value < bestValue) {
        bestValue = value;
        best = [...prefix];
      }
      return;
    }
    for (const coordinate of axis) visit([...prefix, coordinate]);
  };
  visit([]);
  let step = (upper - lower) / (gridPoints - 1) / 2;
  while (step >= tolerance) {
    let improved = false;
    for (let d = 0; d < dimensions; d++) {
      for (const direction of [-1, 1]) {
        const candidate = [...best];
        candidate[d] = Math.min(upper, Math.max(lower, candidate[d] + direction * step));
        const value = objective(candidate);
        if (value < bestValue) {
          bestValue = value;
          best = candidate;
          improved = true;
        }
      }
    }
    if (!improved) step /= 2;
  }
  return { point: best, value: bestValue };
}
