import { OutlierDetectionSettings } from './routing-policy';

export type OutlierState = 'serving' | 'ejected' | 'probing';

/**
 * One node's outlier state. `consecutiveFailures` 5xx or connect failures in a row eject it for
 * `baseEjectionMs`, doubled at every further ejection up to `maxEjectionMs`. When the time is up
 * the node is `probing`: the next outcome (a health probe or a request) decides whether it serves
 * again or goes back out for longer. The doubling starts over only once a node has served for
 * `maxEjectionMs` since it last recovered. Time is passed in, so the logic stays pure and testable.
 */
export class OutlierEjection {
  private consecutiveFailures = 0;
  private ejections = 0;
  private ejectedUntil = 0;
  private ejected = false;
  private recoveredAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly settings: OutlierDetectionSettings) {}

  state(now: number): OutlierState {
    if (!this.ejected) {
      return 'serving';
    }
    return now < this.ejectedUntil ? 'ejected' : 'probing';
  }

  /** Whether the node may take a request now (a probing node may, to prove itself). */
  isAvailable(now: number): boolean {
    return this.state(now) !== 'ejected';
  }

  get ejectionCount(): number {
    return this.ejections;
  }

  /**
   * Returns true when this success brought an ejected node back. Before the ejection time is up a
   * success proves nothing (a request sent before the ejection, or a health endpoint that answers
   * while real requests fail) and is ignored, as failures of requests in flight are.
   */
  recordSuccess(now: number): boolean {
    this.consecutiveFailures = 0;
    if (this.ejected && now < this.ejectedUntil) {
      return false;
    }
    if (this.ejected) {
      this.ejected = false;
      this.recoveredAt = now;
      return true;
    }
    return false;
  }

  /** Returns true when this failure ejected the node. */
  recordFailure(now: number): boolean {
    if (this.ejected) {
      if (now < this.ejectedUntil) {
        return false;
      }
      this.eject(now);
      return true;
    }
    this.consecutiveFailures++;
    if (this.consecutiveFailures >= this.settings.consecutiveFailures) {
      this.eject(now);
      return true;
    }
    return false;
  }

  private eject(now: number): void {
    // A node that served well for the longest ejection since it recovered starts over. One that
    // fails again sooner keeps climbing, even when its health endpoint brings it back every time
    // (it answers the probe while real requests fail).
    if (!this.ejected && now - this.recoveredAt >= this.settings.maxEjectionMs) {
      this.ejections = 0;
    }
    this.ejected = true;
    this.consecutiveFailures = 0;
    const backoff = Math.min(this.settings.maxEjectionMs, this.settings.baseEjectionMs * 2 ** this.ejections);
    this.ejections++;
    this.ejectedUntil = now + backoff;
  }
}
