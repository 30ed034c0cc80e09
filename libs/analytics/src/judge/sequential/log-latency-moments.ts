import type { GroupedSamples } from '../grouped-samples';

/**
 * One side's log latencies as they arrive: their mean and variance, and the lag-1 autocorrelation of
 * the ones that came in order (raw latencies; a histogram has lost the order and adds none), pooled
 * over everything seen: the request-level effective-sample-size adjustment.
 */
export class LogLatencyMoments {
  private count = 0;
  private mean = 0;
  private squares = 0;
  private pairs = 0;
  private products = 0;
  private previous = Number.NaN;
  /** Sum and count of the log latencies since the last {@link takeBlock}. */
  private block = { count: 0, sum: 0 };

  add(latencies: readonly number[] | GroupedSamples): void {
    if (Array.isArray(latencies)) {
      for (const latency of latencies as readonly number[]) this.addValue(Math.log(latency), 1, true);
      return;
    }
    const grouped = latencies as GroupedSamples;
    grouped.values.forEach((value, index) => this.addValue(Math.log(value), grouped.counts[index] ?? 0, false));
    this.previous = Number.NaN;
  }

  get pending(): number {
    return this.block.count;
  }

  /** Exp of the mean log latency over everything seen: the geometric mean (null before any). */
  get geometricMean(): number | null {
    return this.count === 0 ? null : Math.exp(this.mean);
  }

  /** The mean log latency of the block being filled, which starts a new one. */
  takeBlock(): { mean: number; count: number } {
    const { count, sum } = this.block;
    this.block = { count: 0, sum: 0 };
    return { mean: sum / count, count };
  }

  /**
   * Variance of the mean of `count` consecutive values: σ²/count times (1 + r)/(1 − r), r clipped
   * to [0, 0.98], which is how much an AR(1) inflates it over independent values.
   */
  varianceOfMean(count: number): number {
    if (this.count < 2) return 0;
    const variance = this.squares / (this.count - 1);
    const lag1 = this.pairs === 0 || this.squares === 0 ? 0 : this.products / this.pairs / (this.squares / this.count);
    const r = Math.min(Math.max(lag1, 0), 0.98);
    return (variance * (1 + r)) / (1 - r) / count;
  }

  private addValue(value: number, weight: number, ordered: boolean): void {
    if (weight <= 0) return;
    this.block.count += weight;
    this.block.sum += value * weight;
    this.count += weight;
    const shift = value - this.mean;
    this.mean += (shift * weight) / this.count;
    const deviation = value - this.mean;
    this.squares += weight * shift * deviation;
    if (ordered && !Number.isNaN(this.previous)) {
      this.products += deviation * this.previous;
      this.pairs += 1;
    }
    this.previous = ordered ? deviation : Number.NaN;
  }
}
