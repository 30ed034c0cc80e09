import { DEFAULT_SERVICE_PORTS, Environment, parseEnvironment, positiveInt, serviceUrl, upstreamUrlVariable } from '@strata/config';
import { isDuration } from '@strata/domain';
import { z } from 'zod';

export type ReportedSeverity = 'low' | 'medium' | 'high' | 'critical';

export interface LstmSettings {
  enabled: boolean;
  /** Fewer history points than this: only baselines are backtested. */
  minPoints: number;
  lookback: number;
  units: number;
  epochs: number;
  batchSize: number;
  /** A saved model younger than this is reused instead of retrained. */
  maxModelAgeMs: number;
}

export interface PredictiveStagingSettings {
  /** Lowest severity that is stored as an anomaly and published. */
  minSeverity: ReportedSeverity;
  /** Window values kept per series for forecasting (older ones are deleted). */
  historyPoints: number;
  /** Anomalies and forecasts older than this are deleted, and so are series silent for as long. */
  retentionDays: number;
  forecast: {
    /** How often every series with enough history is forecast; 0 turns the schedule off. */
    intervalMs: number;
    horizon: number;
    /** Rolling backtest origins, one horizon apart. */
    origins: number;
    /** Central prediction interval level. */
    level: number;
    /** History a series needs before it is forecast. */
    minPoints: number;
    /** LSTM MASE ÷ best baseline MASE must be below this for the LSTM to serve. */
    maxLstmRatio: number;
  };
  lstm: LstmSettings;
  /** Which statements the index advisor reads as slow, and the planner-cost drop a candidate must bring. */
  advisor: { minCalls: number; minMeanMs: number; minCostDrop: number };
  /** The staging copy a proposal is measured on: the share of each table's rows sampled, and a cap. */
  staging: { samplePercent: number; maxRowsPerTable: number };
  /**
   * Promotion through the owners' APIs: where the registry and the rollback service listen, how long
   * a promotion waits for the forward execution, and the timeouts of the index version it registers.
   */
  promotion: { registryUrl: string; rollbackUrl: string; waitMs: number; lockTimeout: string; statementTimeout: string };
  /**
   * Automatic app-version proposals: an anomaly at least `minSeverity`, rising on a metric `metrics`
   * matches (one where higher is worse), of the group deployed to an app component, proposes the
   * last known good version.
   */
  /** `stagingMinWindows`: KPI windows a newer version must have run in staging, without a regression, to be proposed as healthy there. */
  appVersion: { minSeverity: ReportedSeverity; metrics: RegExp; stagingMinWindows: number };
  /**
   * Automatic lb-weights proposals from per-node forecasts of `loadMetric` (and `latencyMetric`, as
   * evidence): proposed when node loads at the forecast peak spread at least `minImbalance` above
   * their mean; every weighted node keeps at least `minWeight` percent.
   */
  lbWeights: { loadMetric: string; latencyMetric: string; minImbalance: number; minWeight: number };
  /**
   * Mirrored trials: where routing-control listens (it owns the routing policy whose mirror is
   * switched on and off), the longest window a trial may ask for, how long to wait after it for its
   * last KPI windows to arrive, and the requests a side needs for a pass when the request names none.
   */
  mirror: { routingControlUrl: string; maxWindowSeconds: number; settleMs: number; minRequests: number };
  /**
   * The track record of promoted proposals: `windowMs` after a promotion, what production showed
   * over that window (the KPI series whose metric `metrics` matches, before vs after; an index's
   * statements measured again) is kept beside the prediction. Due proposals are looked for every
   * `intervalMs` (0: never).
   */
  observation: { windowMs: number; intervalMs: number; metrics: RegExp };
  /**
   * Index proposals made from anomalies: a regression (severity ≥ `minSeverity`, observed above
   * expected) of a db-schema component's series whose metric matches `metrics` leaves an advice
   * request that a pass every `intervalMs` (0: never) runs the index advisor for.
   */
  indexAdvice: { intervalMs: number; metrics: RegExp; minSeverity: ReportedSeverity };
}

const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'], { message: "must be 'true' or 'false'" })
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1');

const duration = (fallback: string) => z.string().refine(isDuration, 'must be a duration such as 5s, 2m or 1h').default(fallback);

const DEFAULT_REGRESSION_METRICS = 'error|latency|duration|5xx';

const regularExpression = (fallback: string) =>
  z
    .string()
    .min(1, 'must be a regular expression')
    .max(500)
    .refine((source) => {
      try {
        new RegExp(source);
        return true;
      } catch {
        return false;
      }
    }, 'must be a valid regular expression, e.g. error|latency')
    .default(fallback);

const pattern = regularExpression(DEFAULT_REGRESSION_METRICS);

const settingsSchema = z.object({
  PREDICTIVE_ANOMALY_MIN_SEVERITY: z.enum(['low', 'medium', 'high', 'critical']).default('medium'),
  PREDICTIVE_HISTORY_POINTS: positiveInt(2_000, 100_000),
  PREDICTIVE_RETENTION_DAYS: positiveInt(30, 3_650),
  PREDICTIVE_FORECAST_INTERVAL_MS: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(0).max(86_400_000).default(300_000),
  PREDICTIVE_FORECAST_HORIZON: positiveInt(12, 1_000),
  PREDICTIVE_FORECAST_ORIGINS: positiveInt(5, 50),
  PREDICTIVE_FORECAST_LEVEL: z.coerce.number({ message: 'must be a number' }).gt(0).lt(1).default(0.95),
  PREDICTIVE_FORECAST_MIN_POINTS: positiveInt(120, 100_000),
  PREDICTIVE_LSTM_MAX_RATIO: z.coerce.number({ message: 'must be a number' }).gt(0).max(10).default(1),
  PREDICTIVE_LSTM_ENABLED: flag(true),
  PREDICTIVE_LSTM_MIN_POINTS: positiveInt(500, 100_000),
  PREDICTIVE_LSTM_LOOKBACK: positiveInt(24, 1_000).refine((value) => value >= 2, 'must be at least 2'),
  PREDICTIVE_LSTM_UNITS: positiveInt(32, 512),
  PREDICTIVE_LSTM_EPOCHS: positiveInt(8, 500),
  PREDICTIVE_LSTM_BATCH_SIZE: positiveInt(128, 4_096),
  PREDICTIVE_LSTM_MAX_MODEL_AGE_MS: positiveInt(86_400_000, 30 * 86_400_000),
  PREDICTIVE_ADVISOR_MIN_CALLS: positiveInt(10, 1_000_000_000),
  PREDICTIVE_ADVISOR_MIN_MEAN_MS: z.coerce.number({ message: 'must be a number' }).min(0).max(3_600_000).default(1),
  PREDICTIVE_ADVISOR_MIN_COST_DROP: z.coerce.number({ message: 'must be a number' }).gt(0).lt(1).default(0.5),
  PREDICTIVE_STAGING_SAMPLE_PERCENT: z.coerce.number({ message: 'must be a number' }).gt(0).max(100).default(10),
  PREDICTIVE_STAGING_MAX_ROWS_PER_TABLE: positiveInt(200_000, 100_000_000),
  PREDICTIVE_PROMOTION_WAIT_MS: positiveInt(600_000, 86_400_000),
  PREDICTIVE_PROMOTION_LOCK_TIMEOUT: duration('5s'),
  PREDICTIVE_PROMOTION_STATEMENT_TIMEOUT: duration('1h'),
  PREDICTIVE_APP_VERSION_MIN_SEVERITY: z.enum(['low', 'medium', 'high', 'critical']).default('high'),
  PREDICTIVE_APP_VERSION_METRICS: pattern,
  PREDICTIVE_APP_VERSION_STAGING_MIN_WINDOWS: positiveInt(6, 1_000_000),
  PREDICTIVE_LB_LOAD_METRIC: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'must be a Prometheus-style metric name').max(200).default('gateway_requests_total'),
  PREDICTIVE_LB_LATENCY_METRIC: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'must be a Prometheus-style metric name').max(200).default('gateway_request_duration_ms'),
  PREDICTIVE_LB_MIN_IMBALANCE: z.coerce.number({ message: 'must be a number' }).gt(0).max(10).default(0.1),
  PREDICTIVE_LB_MIN_WEIGHT: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(0).max(50).default(5),
  PREDICTIVE_MIRROR_MAX_WINDOW_SECONDS: positiveInt(900, 86_400),
  PREDICTIVE_MIRROR_SETTLE_MS: positiveInt(60_000, 3_600_000),
  PREDICTIVE_MIRROR_MIN_REQUESTS: positiveInt(300, 100_000_000),
  PREDICTIVE_OBSERVATION_WINDOW_MS: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1_000).max(30 * 86_400_000).default(900_000),
  PREDICTIVE_OBSERVATION_INTERVAL_MS: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(0).max(86_400_000).default(60_000),
  PREDICTIVE_OBSERVATION_METRICS: regularExpression('error|latency|duration|5xx|_ms$'),
  PREDICTIVE_INDEX_ADVICE_INTERVAL_MS: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(0).max(86_400_000).default(60_000),
  PREDICTIVE_INDEX_ADVICE_METRICS: regularExpression('^db_query_(mean_ms|time_ms_total)$'),
  PREDICTIVE_INDEX_ADVICE_MIN_SEVERITY: z.enum(['low', 'medium', 'high', 'critical']).default('high'),
});

/** Where a proposal's `databaseUrlFrom` variable is read (the service's environment): never stored. */
export const TARGET_ENVIRONMENT = Symbol('PREDICTIVE_TARGET_ENVIRONMENT');

/**
 * Reads the service's own settings; a bad value stops the process naming the variable. `origin`
 * is where the owners' APIs listen when their variables are unset: the embedded process's own
 * origin (every module on one), else each service's default port on this machine.
 */
export function readPredictiveStagingSettings(env: Environment = process.env, origin?: string): PredictiveStagingSettings {
  const owners = z.object({
    [upstreamUrlVariable('registry')]: serviceUrl.default(origin ?? `http://127.0.0.1:${DEFAULT_SERVICE_PORTS.registry}`),
    [upstreamUrlVariable('rollback')]: serviceUrl.default(origin ?? `http://127.0.0.1:${DEFAULT_SERVICE_PORTS.rollback}`),
    [upstreamUrlVariable('routing-control')]: serviceUrl.default(origin ?? `http://127.0.0.1:${DEFAULT_SERVICE_PORTS['routing-control']}`),
  });
  const urls = parseEnvironment(owners, env) as Record<string, string>;
  const parsed = parseEnvironment(settingsSchema, env);
  // Each backtest origin needs history before it: a minimum below that could never be forecast.
  const backtestSpan = parsed.PREDICTIVE_FORECAST_HORIZON * parsed.PREDICTIVE_FORECAST_ORIGINS + 3;
  if (parsed.PREDICTIVE_FORECAST_MIN_POINTS < backtestSpan) {
    parseEnvironment(
      settingsSchema.extend({
        PREDICTIVE_FORECAST_MIN_POINTS: z.coerce.number().min(backtestSpan, `must be at least PREDICTIVE_FORECAST_HORIZON × PREDICTIVE_FORECAST_ORIGINS + 3 = ${backtestSpan}`),
      }),
      env,
    );
  }
  if (parsed.PREDICTIVE_HISTORY_POINTS < parsed.PREDICTIVE_FORECAST_MIN_POINTS) {
    parseEnvironment(
      settingsSchema.extend({
        PREDICTIVE_HISTORY_POINTS: z.coerce.number().min(parsed.PREDICTIVE_FORECAST_MIN_POINTS, 'must be at least PREDICTIVE_FORECAST_MIN_POINTS'),
      }),
      env,
    );
  }
  return {
    minSeverity: parsed.PREDICTIVE_ANOMALY_MIN_SEVERITY,
    historyPoints: parsed.PREDICTIVE_HISTORY_POINTS,
    retentionDays: parsed.PREDICTIVE_RETENTION_DAYS,
    forecast: {
      intervalMs: parsed.PREDICTIVE_FORECAST_INTERVAL_MS,
      horizon: parsed.PREDICTIVE_FORECAST_HORIZON,
      origins: parsed.PREDICTIVE_FORECAST_ORIGINS,
      level: parsed.PREDICTIVE_FORECAST_LEVEL,
      minPoints: parsed.PREDICTIVE_FORECAST_MIN_POINTS,
      maxLstmRatio: parsed.PREDICTIVE_LSTM_MAX_RATIO,
    },
    lstm: {
      enabled: parsed.PREDICTIVE_LSTM_ENABLED,
      minPoints: parsed.PREDICTIVE_LSTM_MIN_POINTS,
      lookback: parsed.PREDICTIVE_LSTM_LOOKBACK,
      units: parsed.PREDICTIVE_LSTM_UNITS,
      epochs: parsed.PREDICTIVE_LSTM_EPOCHS,
      batchSize: parsed.PREDICTIVE_LSTM_BATCH_SIZE,
      maxModelAgeMs: parsed.PREDICTIVE_LSTM_MAX_MODEL_AGE_MS,
    },
    advisor: { minCalls: parsed.PREDICTIVE_ADVISOR_MIN_CALLS, minMeanMs: parsed.PREDICTIVE_ADVISOR_MIN_MEAN_MS, minCostDrop: parsed.PREDICTIVE_ADVISOR_MIN_COST_DROP },
    staging: { samplePercent: parsed.PREDICTIVE_STAGING_SAMPLE_PERCENT, maxRowsPerTable: parsed.PREDICTIVE_STAGING_MAX_ROWS_PER_TABLE },
    promotion: {
      registryUrl: urls[upstreamUrlVariable('registry')] as string,
      rollbackUrl: urls[upstreamUrlVariable('rollback')] as string,
      waitMs: parsed.PREDICTIVE_PROMOTION_WAIT_MS,
      lockTimeout: parsed.PREDICTIVE_PROMOTION_LOCK_TIMEOUT,
      statementTimeout: parsed.PREDICTIVE_PROMOTION_STATEMENT_TIMEOUT,
    },
    appVersion: { minSeverity: parsed.PREDICTIVE_APP_VERSION_MIN_SEVERITY, metrics: new RegExp(parsed.PREDICTIVE_APP_VERSION_METRICS), stagingMinWindows: parsed.PREDICTIVE_APP_VERSION_STAGING_MIN_WINDOWS },
    lbWeights: { loadMetric: parsed.PREDICTIVE_LB_LOAD_METRIC, latencyMetric: parsed.PREDICTIVE_LB_LATENCY_METRIC, minImbalance: parsed.PREDICTIVE_LB_MIN_IMBALANCE, minWeight: parsed.PREDICTIVE_LB_MIN_WEIGHT },
    mirror: {
      routingControlUrl: urls[upstreamUrlVariable('routing-control')] as string,
      maxWindowSeconds: parsed.PREDICTIVE_MIRROR_MAX_WINDOW_SECONDS,
      settleMs: parsed.PREDICTIVE_MIRROR_SETTLE_MS,
      minRequests: parsed.PREDICTIVE_MIRROR_MIN_REQUESTS,
    },
    observation: { windowMs: parsed.PREDICTIVE_OBSERVATION_WINDOW_MS, intervalMs: parsed.PREDICTIVE_OBSERVATION_INTERVAL_MS, metrics: new RegExp(parsed.PREDICTIVE_OBSERVATION_METRICS) },
    indexAdvice: { intervalMs: parsed.PREDICTIVE_INDEX_ADVICE_INTERVAL_MS, metrics: new RegExp(parsed.PREDICTIVE_INDEX_ADVICE_METRICS), minSeverity: parsed.PREDICTIVE_INDEX_ADVICE_MIN_SEVERITY },
  };
}

export const PREDICTIVE_STAGING_SETTINGS = Symbol('strata:predictive-staging-settings');
