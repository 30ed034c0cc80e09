import { gaussianTail } from './gaussian-tail';

export interface AnomalyLikelihoodParameters {
  /** Raw scores averaged into the short-term value (Numenta: 10). */
  readonly averagingWindow: number;
  /** Short-term averages kept as the long-term distribution (Numenta: 8640). */
  readonly historicWindow: number;
  /** Samples seen before any likelihood is reported (Numenta: 288 + 100). */
  readonly learningPeriod: number;
  /** Floor of the long-term σ, so a perfectly predictable stretch does not make every blip certain (Numenta: √0.0003). */
  readonly minSigma: number;
  /**
   * Floor of the long-term mean (Numenta: 0.03; 0 or absent for none). On a series its baselines predict
   * almost perfectly the averages sit near 0, and the slightest blip would be called certain; nupic's
   * `estimateNormal` lower-bound check raises the mean (and floors the variance) for that reason.
   */
  readonly minMean?: number;
  /**
   * Empirical calibration of the normal's tail (off when absent or false): once more than
   * `averagingWindow` past averages in the historic window were strictly higher than the current one,
   * its tail probability is at least their share. A burst the series has had repeatedly is not rare,
   * however thin the normal's tail says it is (heavy-tailed counts); the footprint of one earlier
   * spike (it stays in the average for `averagingWindow` samples) is allowed, so a lone precedent
   * does not make the next incident look normal.
   */
  readonly precedentCalibration?: boolean;
}

/** Plain, JSON-safe state of an {@link AnomalyLikelihood}. */
export interface AnomalyLikelihoodState {
  readonly parameters: AnomalyLikelihoodParameters;
  readonly recentScores: readonly number[];
  readonly averages: readonly number[];
  readonly seen: number;
}

/** Tail probabilities above this are already too common to alarm on (log likelihood below 0.3). */
const PRECEDENT_CHECK_BELOW = 1e-3;

/**
 * Numenta's anomaly likelihood (nupic `AnomalyLikelihood`): how improbable the recent raw anomaly
 * scores are, given their own history. The short-term average of the last few raw scores is compared
 * with a normal fitted to the long-term history of such averages; the likelihood is 1 − its upper
 * tail probability. A series that is always somewhat surprising thus stops alarming, while a
 * predictable one alarms at its first sustained surprise. O(1) per sample (running sums).
 */
export class AnomalyLikelihood {
  private readonly recentScores: number[];
  private readonly averages: number[];
  private seen: number;
  private sum = 0;
  private sumOfSquares = 0;

  constructor(private readonly parameters: AnomalyLikelihoodParameters, state?: Omit<AnomalyLikelihoodState, 'parameters'>) {
    this.recentScores = [...(state?.recentScores ?? [])];
    this.averages = [...(state?.averages ?? [])];
    this.seen = state?.seen ?? 0;
    this.recomputeSums();
  }

  /** Adds a raw score in [0, 1] and returns the likelihood in [0, 1] (0.5 while learning). */
  update(rawScore: number): number {
    const score = Number.isFinite(rawScore) ? Math.min(1, Math.max(0, rawScore)) : 0;
    this.recentScores.push(score);
    if (this.recentScores.length > this.parameters.averagingWindow) this.recentScores.shift();
    const shortTermAverage = this.recentScores.reduce((sum, value) => sum + value, 0) / this.recentScores.length;
    this.seen++;

    // Judge against the history before this sample joins it.
    const likelihood = this.seen > this.parameters.learningPeriod && this.averages.length > 1 ? 1 - this.calibratedTail(shortTermAverage) : 0.5;

    this.averages.push(shortTermAverage);
    this.sum += shortTermAverage;
    this.sumOfSquares += shortTermAverage * shortTermAverage;
    if (this.averages.length > this.parameters.historicWindow) {
      const oldest = this.averages.shift() ?? 0;
      this.sum -= oldest;
      this.sumOfSquares -= oldest * oldest;
    }
    // Running sums drift in floating point; rebuilding them once per window keeps the cost O(1) amortised.
    if (this.seen % this.parameters.historicWindow === 0) this.recomputeSums();
    return likelihood;
  }

  /** The normal's tail probability, raised to the share of higher past averages where they are more than one spike's footprint. */
  private calibratedTail(value: number): number {
    const tail = this.tailProbability(value);
    // Only a rare-looking average needs the O(historicWindow) count; most samples skip it.
    if (this.parameters.precedentCalibration !== true || tail > PRECEDENT_CHECK_BELOW) return tail;
    let higher = 0;
    for (const average of this.averages) if (average > value) higher++;
    return higher > this.parameters.averagingWindow ? Math.max(tail, higher / this.averages.length) : tail;
  }

  /**
   * Tail probability of the average under the long-term normal; as in nupic, a value below the mean is
   * mirrored above it, and the mean and σ are floored after the variance is taken about the actual mean.
   */
  private tailProbability(value: number): number {
    const n = this.averages.length;
    const actualMean = this.sum / n;
    const variance = Math.max(0, this.sumOfSquares / n - actualMean * actualMean);
    const mean = Math.max(actualMean, this.parameters.minMean ?? 0);
    const sigma = Math.max(Math.sqrt(variance), this.parameters.minSigma);
    return gaussianTail(Math.abs(value - mean) / sigma);
  }

  private recomputeSums(): void {
    this.sum = this.averages.reduce((sum, value) => sum + value, 0);
    this.sumOfSquares = this.averages.reduce((sum, value) => sum + value * value, 0);
  }

  toJSON(): AnomalyLikelihoodState {
    return { parameters: this.parameters, recentScores: [...this.recentScores], averages: [...this.averages], seen: this.seen };
  }

  static fromJSON(state: AnomalyLikelihoodState): AnomalyLikelihood {
    return new AnomalyLikelihood(state.parameters, state);
  }
}

/**
 * Numenta's log scaling of a likelihood into [0, 1]: `ln(1.0000000001 − L) / ln(1e-10)`. It spreads
 * the useful range (0.999 … 0.9999999999) over the unit interval, so one threshold suits all series.
 */
export function logLikelihood(likelihood: number): number {
  return Math.min(1, Math.max(0, Math.log(1.0000000001 - likelihood) / -23.02585084720009));
}
