/** Tuning of the rollout ticker; tests shorten the period and drive the clock. */
export interface RolloutTuning {
  /** How often active rollouts are advanced; 0 turns the ticker off (tests tick by hand). */
  tickMs: number;
  now: () => number;
}

export const ROLLOUT_TUNING = Symbol('strata:routing-control:rollout-tuning');

export const DEFAULT_ROLLOUT_TUNING: RolloutTuning = { tickMs: 1_000, now: () => Date.now() };
