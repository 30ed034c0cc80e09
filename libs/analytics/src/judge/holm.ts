/**
 * Holm's step-down adjustment of a family of p-values (same order out as in). Rejecting where the
 * adjusted p-value is below α keeps the chance of any false rejection in the family at most α,
 * whatever the dependence between the tests, and is uniformly more powerful than Bonferroni.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const size = pValues.length;
  const order = pValues.map((pValue, index) => ({ pValue, index })).sort((a, b) => a.pValue - b.pValue);
  const adjusted = new Array<number>(size);
  let runningMaximum = 0;
  order.forEach(({ pValue, index }, rank) => {
    // Monotone by construction: a larger raw p-value never gets a smaller adjusted one.
    runningMaximum = Math.max(runningMaximum, Math.min(1, (size - rank) * pValue));
    adjusted[index] = runningMaximum;
  });
  return adjusted;
}
