/** NAB's default share of each file given to detectors to learn, not scored. */
export const NAB_PROBATION_PERCENT = 0.15;

/**
 * Rows at the start of a file that NAB does not score (nab/sweeper.py `_getProbationaryLength`):
 * `min(floor(percent · rows), percent · 5000)`, i.e. 750 rows at most for the default 15 %.
 */
export function probationaryLength(rowCount: number, probationPercent = NAB_PROBATION_PERCENT): number {
  return Math.min(Math.floor(probationPercent * rowCount), probationPercent * 5000);
}
