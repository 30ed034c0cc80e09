import { Clock, Random } from './clock';

/** A clock that moves only when a spec says so. */
export class ManualClock implements Clock {
  constructor(private wallMs = 1_000_000) {}

  now(): number {
    return this.wallMs;
  }

  monotonic(): number {
    return this.wallMs;
  }

  advance(ms: number): void {
    this.wallMs += ms;
  }
}

/** A reproducible uniform source (mulberry32): a spec's picks are the same on every run. */
export function seededRandom(seed = 42): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}
