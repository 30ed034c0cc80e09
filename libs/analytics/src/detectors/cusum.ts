export interface CusumParameters {
  /** Allowance k, in σ: shifts smaller than this are absorbed, not accumulated. */
  readonly drift: number;
  /** Decision interval h, in σ-units of accumulated excess. */
  readonly threshold: number;
  /** Each input is clipped to ±clip σ, so one spike cannot pass for a level shift. */
  readonly clip: number;
}

/** Plain, JSON-safe state of a {@link Cusum}. */
export interface CusumState {
  readonly parameters: CusumParameters;
  readonly upper: number;
  readonly lower: number;
}

/** What a CUSUM step reports: the evidence of a shift as a share of h, and whether it just fired. */
export interface CusumStep {
  /** max(S⁺, S⁻) / h, in [0, 1]. */
  readonly evidence: number;
  readonly direction: 'up' | 'down' | null;
  readonly changed: boolean;
}

/**
 * Two-sided Page CUSUM on standardised residuals: accumulates persistent excess above +k (level up)
 * or below −k (level down) and declares a change point when either sum crosses h, then restarts.
 * It sees a level shift that an adaptive baseline would otherwise absorb within a few samples.
 */
export class Cusum {
  constructor(private readonly parameters: CusumParameters, private upper = 0, private lower = 0) {}

  update(z: number): CusumStep {
    if (!Number.isFinite(z)) return { evidence: this.evidence(), direction: null, changed: false };
    const clipped = Math.max(-this.parameters.clip, Math.min(this.parameters.clip, z));
    this.upper = Math.max(0, this.upper + clipped - this.parameters.drift);
    this.lower = Math.max(0, this.lower - clipped - this.parameters.drift);
    const direction = this.upper >= this.lower ? 'up' : 'down';
    if (Math.max(this.upper, this.lower) >= this.parameters.threshold) {
      this.reset();
      return { evidence: 1, direction, changed: true };
    }
    const evidence = this.evidence();
    return { evidence, direction: evidence > 0 ? direction : null, changed: false };
  }

  reset(): void {
    this.upper = 0;
    this.lower = 0;
  }

  private evidence(): number {
    return Math.min(1, Math.max(this.upper, this.lower) / this.parameters.threshold);
  }

  toJSON(): CusumState {
    return { parameters: this.parameters, upper: this.upper, lower: this.lower };
  }

  static fromJSON(state: CusumState): Cusum {
    return new Cusum(state.parameters, state.upper, state.lower);
  }
}
