/**
 * Deterministic random draws for the judge's simulations: a seeded mulberry32 generator, so every
 * simulated rate is the same on every run and an assertion on it can be reproduced exactly.
 */
// Bound once: jest runs tests in a vm context where every global lookup (Math) is much slower.
const { exp, floor, imul, log, log1p, sqrt } = Math;

export class SeededRandom {
  private state: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform on [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal by Marsaglia's polar method (no trigonometry), using both values of each pair. */
  normal(): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;
      return spare;
    }
    let u: number;
    let v: number;
    let radiusSquared: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      radiusSquared = u * u + v * v;
    } while (radiusSquared >= 1 || radiusSquared === 0);
    const scale = sqrt((-2 * log(radiusSquared)) / radiusSquared);
    this.spareNormal = v * scale;
    return u * scale;
  }

  /** Latency-like samples: lognormal with the given median and log-scale σ. */
  lognormal(count: number, median: number, sigma: number): number[] {
    const samples = new Array<number>(count);
    for (let index = 0; index < count; index += 1) samples[index] = median * exp(sigma * this.normal());
    return samples;
  }

  /**
   * Failed requests out of `total`, each failing independently with probability `rate`. Draws the
   * geometric gaps between failures instead of one uniform per request: the same Bernoulli
   * process, about 1/rate times fewer draws.
   */
  errors(total: number, rate: number): { errors: number; total: number } {
    if (rate <= 0) return { errors: 0, total };
    if (rate >= 1) return { errors: total, total };
    const logSurvival = log1p(-rate);
    let errors = 0;
    // Index of the next failing request: P(gap = g) = (1 − rate)^g · rate.
    for (let request = floor(log(1 - this.next()) / logSurvival); request < total; request += 1 + floor(log(1 - this.next()) / logSurvival)) {
      errors += 1;
    }
    return { errors, total };
  }
}
