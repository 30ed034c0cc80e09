/**
 * NAB's scaled sigmoid `2/(1+e^{5y}) − 1` of a relative position y: ≈ +0.987 at the left edge of a
 * window (y = −1), 0 at its right edge, falling towards −1 for detections long after it. NAB clamps
 * y > 3 to exactly −1 (a false positive "well behind" any window), and so do we.
 */
export function scaledSigmoid(relativePosition: number): number {
  if (relativePosition > 3.0) return -1.0;
  return 2 * sigmoid(-5 * relativePosition) - 1.0;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
