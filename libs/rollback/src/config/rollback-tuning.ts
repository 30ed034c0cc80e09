import { Environment, parseEnvironment } from '@strata/config';
import { z } from 'zod';

/** Timers of the rollback service; tests shorten them. */
export interface RollbackTuning {
  /** How often running executions are advanced; 0 turns the runner off (tests advance by hand). */
  tickMs: number;
  /** How long an app step waits for healthy nodes of the version, unless its config says `readyTimeout`. */
  appReadyTimeoutMs: number;
  /** How long a routing step waits for every live gateway to ACK the policy. */
  routingTimeoutMs: number;
  /** How long one HTTP action may take (each of its attempts). */
  httpActionTimeoutMs: number;
  /** The variables the process reads database URLs of db-schema targets from: `process.env` outside tests. */
  targetEnvironment: Environment;
}

export const ROLLBACK_TUNING = Symbol('strata:rollback:tuning');

export const DEFAULT_ROLLBACK_TUNING: RollbackTuning = { tickMs: 500, appReadyTimeoutMs: 300_000, routingTimeoutMs: 120_000, httpActionTimeoutMs: 10_000, targetEnvironment: process.env };

const wholeMs = (fallback: number, min: number, max: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .refine((value) => value >= min && value <= max, `must be between ${min} and ${max}`)
    .default(fallback);

const settingsSchema = z.object({
  ROLLBACK_EXECUTION_TICK_MS: wholeMs(DEFAULT_ROLLBACK_TUNING.tickMs, 50, 60_000),
  ROLLBACK_APP_READY_TIMEOUT_MS: wholeMs(DEFAULT_ROLLBACK_TUNING.appReadyTimeoutMs, 1_000, 86_400_000),
  ROLLBACK_ROUTING_TIMEOUT_MS: wholeMs(DEFAULT_ROLLBACK_TUNING.routingTimeoutMs, 1_000, 86_400_000),
  ROLLBACK_HTTP_ACTION_TIMEOUT_MS: wholeMs(DEFAULT_ROLLBACK_TUNING.httpActionTimeoutMs, 100, 600_000),
});

/** Reads the rollback service's timers; a bad value stops the process naming the variable. */
export function readRollbackTuning(env: Environment = process.env): RollbackTuning {
  const parsed = parseEnvironment(settingsSchema, env);
  return {
    tickMs: parsed.ROLLBACK_EXECUTION_TICK_MS,
    appReadyTimeoutMs: parsed.ROLLBACK_APP_READY_TIMEOUT_MS,
    routingTimeoutMs: parsed.ROLLBACK_ROUTING_TIMEOUT_MS,
    httpActionTimeoutMs: parsed.ROLLBACK_HTTP_ACTION_TIMEOUT_MS,
    targetEnvironment: env,
  };
}
