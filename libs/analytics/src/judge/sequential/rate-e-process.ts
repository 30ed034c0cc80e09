/**
 * A sequential test of an error rate, canary against baseline, that holds whatever the traffic does
 * over time. Within each window both sides see the same moment, so conditional on a failed request
 * in that window, it is the canary's with probability q·r / (q·r + 1 − q), q the canary's share of
 * the window's requests and r the canary's rate over the baseline's. A diurnal swing of the rate,
 * an unequal split or a split that changes all cancel out: they move q or both rates alike.
 *
 * The e-process is the likelihood ratio of r against `nullRatio`, averaged over a grid of
 * alternatives: a nonnegative martingale under the null, so by Ville's inequality it ever reaches
 * 1/α with probability at most α, however often it is read (an always-valid p-value is 1/max E).
 */
export class RateRatioEProcess {
  private readonly logProducts: number[];

  /** @param alternatives ratios above `nullRatio` to detect an increase, below it to detect a decrease. */
  constructor(
    readonly nullRatio: number,
    readonly alternatives: readonly number[],
  ) {
    if (alternatives.length === 0) throw new Error('the e-process needs at least one alternative ratio');
    this.logProducts = alternatives.map(() => 0);
  }

  /** Adds one window: each side's requests and errors in it. */
  observe(canaryRequests: number, canaryErrors: number, baselineRequests: number, baselineErrors: number): void {
    if (canaryErrors + baselineErrors === 0 || canaryRequests === 0 || baselineRequests === 0) return;
    const share = canaryRequests / (canaryRequests + baselineRequests);
    const nullProbability = canaryShare(share, this.nullRatio);
    this.alternatives.forEach((ratio, index) => {
      const probability = canaryShare(share, ratio);
      this.logProducts[index] += canaryErrors * Math.log(probability / nullProbability) + baselineErrors * Math.log((1 - probability) / (1 - nullProbability));
    });
  }

  /** The e-value now: the mean over the alternatives of their likelihood ratios. */
  get value(): number {
    return this.logProducts.reduce((sum, logProduct) => sum + Math.exp(logProduct), 0) / this.logProducts.length;
  }
}

function canaryShare(share: number, ratio: number): number {
  return (share * ratio) / (share * ratio + 1 - share);
}
