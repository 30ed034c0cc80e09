/**
 * Deterministic random draws for the judge's simulations: a seeded mulberry32 generator, so every
 * simulated rate is the same on every run and an assertion on it can be reproduced exactly.
 */
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
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal by Box–Muller, using both values of each pair. */
  normal(): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;
      return spare;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.next()));
    const angle = 2 * Math.PI * this.next();
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Latency-like samples: lognormal with the given median and log-scale σ. */
  lognormal(count: number, median: number, sigma: number): number[] {
    return Array.from({ length: count }, () => median * Math.exp(sigma * this.normal()));
  }

  /** Failed requests out of `total`, each failing independently with probability `rate`. */
  errors(total: number, rate: number): { errors: number; total: number } {
    let errors = 0;
    for (let request = 0; request < total; request += 1) if (this.next() < rate) errors += 1;
    return { errors, total };
  }
}
