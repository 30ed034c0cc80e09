import type { ConsumerPosition } from '@strata/messaging';
import { WindowSchedule } from './windows';

/** Probes kept while the consumer is behind: one a tick; older ones add nothing once a newer one is applied. */
const MAX_PROBES = 600;

/**
 * The latest moment up to which every `kpi.samples` flush written to the bus has been applied.
 * Each observation records where the log ended at that moment (a probe); once the consumer's
 * applied offsets pass a probe's ends on every partition, everything written before the probe is
 * in the rollups, so windows may be built up to its time. Under steady traffic the consumer is
 * rarely at the very end of the log, so "no lag now" would almost never hold; a probe passed a
 * moment later does. Pure: the caller reads the positions and the clock.
 */
export class AppliedWatermark {
  private probes: Array<{ at: number; ends: ReadonlyMap<number, number> }> = [];
  private appliedAt: number | null = null;

  /** Records the positions read at `at` and returns the moment applied so far (null: none seen yet). */
  observe(at: number, positions: readonly ConsumerPosition[]): number | null {
    const applied = new Map(positions.map((position) => [position.partition, position.applied]));
    const passed = (ends: ReadonlyMap<number, number>) => [...ends].every(([partition, end]) => (applied.get(partition) ?? -1) >= end);
    const ends = new Map(positions.map((position) => [position.partition, position.end]));
    if (passed(ends)) {
      this.appliedAt = at;
      this.probes = [];
      return this.appliedAt;
    }
    for (let oldest = this.probes[0]; oldest !== undefined && passed(oldest.ends); oldest = this.probes[0]) {
      this.appliedAt = oldest.at;
      this.probes.shift();
    }
    this.probes.push({ at, ends });
    if (this.probes.length > MAX_PROBES) this.probes.shift();
    return this.appliedAt;
  }

  /** The moment applied so far, null before the first observation that found one. */
  get at(): number | null {
    return this.appliedAt;
  }
}

/**
 * The longest windows are held: one window less than the catch-up span (`maxCatchUpWindows`, the most
 * published after downtime anyway), so that when a hold that reached it ends, the windows it held are
 * still within the span caught up: a hold of the whole span skipped one window about one release in
 * ten (the cursor a pass behind the span's start).
 */
export function longestHoldMs(schedule: WindowSchedule): number {
  return Math.max(0, schedule.maxCatchUpWindows - 1) * schedule.intervalMs;
}

/**
 * The moment windows may be published up to at `now`: the applied watermark, so a window is not
 * built from rollups its flushes have not reached yet (a metrics-ingest restart leaves a backlog on
 * `kpi.samples`, and a window published before it is applied would stay cut short for good: each
 * window goes out once). Held at most `longestHoldMs`: a consumer that stays behind delays windows by
 * that much, never stops them. Null: nothing may be published yet (the watermark is not known and the
 * process started less than that long ago).
 */
export function publishableUntil(now: number, appliedAt: number | null, startedAt: number, schedule: WindowSchedule): number | null {
  const longestHold = longestHoldMs(schedule);
  const heldFrom = appliedAt ?? startedAt;
  if (now - heldFrom <= longestHold) return appliedAt === null ? null : Math.min(now, appliedAt);
  return now - longestHold;
}
