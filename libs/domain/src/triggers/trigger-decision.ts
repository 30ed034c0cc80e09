/** What a trigger remembers between evaluations of one subject (a rollout, a group). */
export interface TriggerTracking {
  /** Since when the condition has held without a break; null while it does not. */
  holdingSince: number | null;
}

export const IDLE_TRIGGER: TriggerTracking = { holdingSince: null };

export type TriggerDecision = { outcome: 'idle' | 'holding' | 'cooling-down' | 'fire'; tracking: TriggerTracking };

/**
 * One evaluation of a trigger: it fires when its condition has held for `forMs` (debounce: a
 * single bad second does not act when `for` asks for more) and it has not fired within
 * `coolDownMs` (a flapping signal acts once, not in a loop). A break in the condition starts the
 * `for` over.
 */
export function decideTrigger(
  input: {
    holds: boolean;
    /** The time of the signal evaluated (a gateway flush's), which `for` is measured in. */
    at: number;
    /** This service's clock, which firings and the cool-down are recorded in. */
    now: number;
    forMs: number;
    lastFiredAt: number | null;
    coolDownMs: number;
  },
  tracking: TriggerTracking,
): TriggerDecision {
  if (!input.holds) return { outcome: 'idle', tracking: IDLE_TRIGGER };
  const holdingSince = tracking.holdingSince ?? input.at;
  if (input.at - holdingSince < input.forMs) return { outcome: 'holding', tracking: { holdingSince } };
  if (input.lastFiredAt !== null && input.now - input.lastFiredAt < input.coolDownMs) return { outcome: 'cooling-down', tracking: { holdingSince } };
  return { outcome: 'fire', tracking: IDLE_TRIGGER };
}
