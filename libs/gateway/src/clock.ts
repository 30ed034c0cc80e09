import { performance } from 'node:perf_hooks';

/**
 * Time as the gateway's parts read it. Every part takes one, so a spec drives time by hand rather
 * than spying on `Date.now`; this file is the only place the gateway reads the system clock.
 */
export interface Clock {
  /** Wall-clock milliseconds since the epoch: KPI timestamps, retry budgets, ejection windows. */
  now(): number;
  /** Monotonic milliseconds with sub-millisecond precision, for request latencies only. */
  monotonic(): number;
}

/** A uniform number in [0, 1): the weighted pick, the P2C pick and mirror sampling draw from it. */
export type Random = () => number;

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
};

export const systemRandom: Random = Math.random;
