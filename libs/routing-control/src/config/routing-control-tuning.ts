import { Environment, parseEnvironment } from '@strata/config';
import { z } from 'zod';

/** Timers of routing-control; tests shorten or stop them and drive the clock. */
export interface RoutingControlTuning {
  /** How often active rollouts are advanced; 0 turns the ticker off (tests tick by hand). */
  tickMs: number;
  /**
   * How often the current version of every policy is published again; 0 turns it off. Gateways
   * that start with no last-known-good config (or whose bus history was lost to retention) get a
   * config within one period instead of waiting for the next change; gateways already on that
   * version only repeat their ACK, which also keeps their status fresh.
   */
  resyncMs: number;
  /**
   * How long after an analysis window ends its judge waits for the window's last KPI windows to
   * arrive from metrics-ingest (normally 2–3 s); then it judges what arrived.
   */
  analysisDataWaitMs: number;
  now: () => number;
}

export const ROUTING_CONTROL_TUNING = Symbol('strata:routing-control:tuning');

export const DEFAULT_ROUTING_CONTROL_TUNING: RoutingControlTuning = { tickMs: 1_000, resyncMs: 30_000, analysisDataWaitMs: 30_000, now: () => Date.now() };

const wholeMs = (fallback: number, min: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .refine((value) => value === 0 || (value >= min && value <= 86_400_000), `must be 0 (off) or between ${min} and 86400000`)
    .default(fallback);

const settingsSchema = z.object({
  ROUTING_ROLLOUT_TICK_MS: wholeMs(DEFAULT_ROUTING_CONTROL_TUNING.tickMs, 100),
  ROUTING_POLICY_RESYNC_MS: wholeMs(DEFAULT_ROUTING_CONTROL_TUNING.resyncMs, 1_000),
  ROUTING_ANALYSIS_DATA_WAIT_MS: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be between 0 and 600000')
    .max(600_000, 'must be between 0 and 600000')
    .default(DEFAULT_ROUTING_CONTROL_TUNING.analysisDataWaitMs),
});

/** Reads routing-control's timers; a bad value stops the process naming the variable. */
export function readRoutingControlTuning(env: Environment = process.env): RoutingControlTuning {
  const parsed = parseEnvironment(settingsSchema, env);
  return { ...DEFAULT_ROUTING_CONTROL_TUNING, tickMs: parsed.ROUTING_ROLLOUT_TICK_MS, resyncMs: parsed.ROUTING_POLICY_RESYNC_MS, analysisDataWaitMs: parsed.ROUTING_ANALYSIS_DATA_WAIT_MS };
}
