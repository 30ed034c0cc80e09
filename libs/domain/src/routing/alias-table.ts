/**
 * Vose's alias method: a weighted pick in O(1) from one uniform number, after an O(n) build.
 * Built once per config (or score) change, read on every request.
 */
export class AliasTable {
  private readonly probability: Float64Array;
  private readonly alias: Int32Array;

  /** Throws when no weight is positive: a table that can pick nothing is a caller's bug. */
  constructor(weights: readonly number[]) {
    const count = weights.length;
    const total = weights.reduce((sum, weight) => sum + (weight > 0 && Number.isFinite(weight) ? weight : 0), 0);
    if (total <= 0) {
      throw new RangeError('an alias table needs at least one positive weight');
    }
    this.probability = new Float64Array(count);
    this.alias = new Int32Array(count);
    const scaled = weights.map((weight) => ((weight > 0 && Number.isFinite(weight) ? weight : 0) * count) / total);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((value, index) => (value < 1 ? small : large).push(index));
    while (small.length > 0 && large.length > 0) {
      const less = small.pop() as number;
      const more = large.pop() as number;
      this.probability[less] = scaled[less];
      this.alias[less] = more;
      scaled[more] = scaled[more] + scaled[less] - 1;
      (scaled[more] < 1 ? small : large).push(more);
    }
    // What is left is 1 up to rounding error.
    for (const index of [...large, ...small]) {
      this.probability[index] = 1;
      this.alias[index] = index;
    }
  }

  get size(): number {
    return this.probability.length;
  }

  /** `uniform` in [0, 1): Math.random() for a weighted pick, a stable hash for a sticky one. */
  pick(uniform: number): number {
    const scaled = uniform * this.probability.length;
    const column = Math.min(Math.floor(scaled), this.probability.length - 1);
    return scaled - column < this.probability[column] ? column : this.alias[column];
  }

  /** The probability of each index being picked, recomputed from the table (for tests and reports). */
  probabilities(): number[] {
    const count = this.probability.length;
    const result = new Array<number>(count).fill(0);
    for (let column = 0; column < count; column++) {
      result[column] += this.probability[column] / count;
      result[this.alias[column]] += (1 - this.probability[column]) / count;
    }
    return result;
  }
}
