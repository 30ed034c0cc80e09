import { RetryBudgetSettings } from './routing-policy';

/**
 * A token bucket for retries: each request deposits `ratio` tokens, time adds
 * `minRetriesPerSecond`, a retry spends one. Retries can then never multiply the load of a
 * struggling backend by more than 1 + ratio (plus the small per-second allowance).
 */
export class RetryBudget {
  private tokens: number;
  private readonly capacity: number;
  private refilledAt: number;

  constructor(
    private readonly settings: RetryBudgetSettings,
    now: number,
  ) {
    // Ten seconds' worth of the minimum, so a burst after a quiet period is not starved.
    this.capacity = Math.max(1, settings.minRetriesPerSecond * 10);
    this.tokens = settings.minRetriesPerSecond;
    this.refilledAt = now;
  }

  recordRequest(): void {
    this.tokens = Math.min(this.capacity, this.tokens + this.settings.ratio);
  }

  /** Spends one token when there is one; false means: do not retry. */
  tryAcquire(now: number): boolean {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  available(now: number): number {
    this.refill(now);
    return this.tokens;
  }

  private refill(now: number): void {
    const elapsedMs = now - this.refilledAt;
    if (elapsedMs > 0) {
      this.tokens = Math.min(this.capacity, this.tokens + (elapsedMs / 1_000) * this.settings.minRetriesPerSecond);
      this.refilledAt = now;
    }
  }
}
