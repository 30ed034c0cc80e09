/**
 * A group-sequential test that a canary's error rate is above the baseline's, exact whatever the
 * traffic does, looked at after every window without inflating its false-fail rate.
 *
 * Within one window both sides see the same moment, so, given that the window held e failed
 * requests, the canary's share of them is Binomial(e, q) under the null (equal rates), q the
 * canary's share of the window's requests: a daily swing of the rate, an unequal or changing split
 * cancel out. Given every window's split and error total (which say nothing about which side is
 * worse), the canary's error count is a sum of independent Bernoulli(q) draws, whose distribution
 * is carried exactly here (`survivors`, a dynamic programme over the count).
 *
 * Looks spend α by an alpha-spending function of the canary's requests n (Lan–DeMets):
 * α·n/(n + halfSpentAt), never all of it. At each look the boundary is the smallest canary error
 * count whose null chance, among the paths not stopped at an earlier look, fits in what may be
 * spent by now; those paths are then stopped. The chance of ever crossing is the sum of what was
 * spent, at most α. Counts too small to say anything spend nothing, and what they leave over is
 * spent at the next look, so the test reaches nearly the power of a one-look exact test at the
 * looks where the evidence accumulates.
 *
 * At its first crossing the test also gives its stage-wise-ordering p-value (`crossingPValue`):
 * the null chance of crossing at an earlier look, plus that of reaching this look and counting at
 * least as many canary errors. It is what was spent before this look plus this count's tail among
 * the survivors, so it is at most what may be spent by now (α·n/(n + halfSpentAt)) exactly when
 * the count crosses: the test fails when this p-value fits the spending, never otherwise.
 */
export class RateSpendingTest {
  /** Null chance of each canary error count among the paths not yet stopped. */
  private survivors: number[] = [1];
  private spentAlpha = 0;
  private canaryRequests = 0;
  private canaryErrors = 0;
  private boundary: number | null = null;
  private firstCrossingPValue: number | null = null;

  constructor(
    readonly alpha: number,
    /** Canary requests by which half of α is spent. */
    readonly halfSpentAt: number,
  ) {
    if (!(alpha > 0 && alpha < 1)) throw new Error(`alpha must be in (0, 1), got ${alpha}`);
    if (!(halfSpentAt > 0)) throw new Error(`halfSpentAt must be > 0, got ${halfSpentAt}`);
  }

  /** Adds one window and looks: true when the canary's errors are at or beyond this look's boundary. */
  observe(canaryRequests: number, canaryErrors: number, baselineRequests: number, baselineErrors: number): boolean {
    this.canaryRequests += canaryRequests;
    const errors = canaryErrors + baselineErrors;
    if (errors > 0 && canaryRequests > 0 && baselineRequests > 0) {
      const share = canaryRequests / (canaryRequests + baselineRequests);
      for (let error = 0; error < errors; error += 1) this.survivors = addBernoulli(this.survivors, share);
      this.canaryErrors += canaryErrors;
    } else if (errors > 0) {
      // A window with one side silent carries no comparison; its errors are left out of the count.
      return this.crossed;
    }
    this.look();
    return this.crossed;
  }

  /** The canary error count that crossed at the latest look (null: none can yet), and the count now. */
  get state(): { readonly canaryErrors: number; readonly boundary: number | null; readonly spent: number } {
    return { canaryErrors: this.canaryErrors, boundary: this.boundary, spent: this.spentAlpha };
  }

  /** The stage-wise-ordering p-value at the look the test first crossed (null: it has not). */
  get crossingPValue(): number | null {
    return this.firstCrossingPValue;
  }

  get crossed(): boolean {
    return this.boundary !== null && this.canaryErrors >= this.boundary;
  }

  private look(): void {
    const allowed = (this.alpha * this.canaryRequests) / (this.canaryRequests + this.halfSpentAt) - this.spentAlpha;
    let tail = 0;
    let boundary: number | null = null;
    for (let count = this.survivors.length - 1; count >= 0; count -= 1) {
      if (tail + this.survivors[count] > allowed) break;
      tail += this.survivors[count];
      boundary = count;
    }
    this.boundary = boundary;
    if (boundary === null) return;
    if (this.firstCrossingPValue === null && this.canaryErrors >= boundary) {
      let countTail = 0;
      for (let count = this.canaryErrors; count < this.survivors.length; count += 1) countTail += this.survivors[count];
      this.firstCrossingPValue = this.spentAlpha + countTail;
    }
    this.spentAlpha += tail;
    for (let count = boundary; count < this.survivors.length; count += 1) this.survivors[count] = 0;
  }
}

/** The distribution of a count plus one Bernoulli(p) draw. */
function addBernoulli(distribution: readonly number[], probability: number): number[] {
  const next = new Array<number>(distribution.length + 1).fill(0);
  for (let count = 0; count < distribution.length; count += 1) {
    next[count] += distribution[count] * (1 - probability);
    next[count + 1] += distribution[count] * probability;
  }
  return next;
}
