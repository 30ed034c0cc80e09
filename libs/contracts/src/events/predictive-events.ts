import { z } from 'zod';
import { kpiSeriesLabels } from './kpi-events';

const timestamp = z.number().int().nonnegative(); // epoch milliseconds
const severity = z.enum(['low', 'medium', 'high', 'critical']);

/**
 * predictive-staging → anyone (rollback triggers, routing scores, dashboards): a KPI series
 * deviated from what its baselines expected. The evidence lets a reader check the verdict without
 * re-running the detector: the score's parts, what was expected against what was observed, and
 * the window the observation came from.
 */
export const anomalyDetectedV1 = z.object({
  anomalyId: z.string().min(1),
  seriesId: z.string().min(1),
  series: kpiSeriesLabels,
  /** End of the KPI window that was judged anomalous. */
  at: timestamp,
  score: z.number().min(0).max(1),
  severity,
  evidence: z.object({
    observed: z.number(),
    /** The baseline forecast nearest the observation (null while no baseline has learnt yet). */
    expected: z.number().nullable(),
    /** Each baseline's forecast for the window (null when it is not ready). */
    baselines: z.record(z.string(), z.number().nullable()),
    /** Robust z of the residual of the baseline that explains the observation best. */
    zScore: z.number(),
    /** Anomaly likelihood of recent surprise against long-term surprise, in [0, 1]. */
    likelihood: z.number(),
    /** Accumulated evidence of a level shift (CUSUM), in [0, 1]. */
    changeEvidence: z.number(),
    changePoint: z.boolean(),
    /** Detected seasonal period in windows, null while none is known. */
    period: z.number().int().positive().nullable(),
    /** Windows of this series the detector had seen, this one included. */
    windowsSeen: z.number().int().positive(),
    window: z.object({
      start: timestamp,
      end: timestamp,
      /** Which aggregate of the window the detector observed. */
      value: z.enum(['mean', 'sum']),
      count: z.number().int().nonnegative(),
      mean: z.number().nullable(),
      min: z.number().nullable(),
      max: z.number().nullable(),
      p99: z.number().nullable(),
    }),
  }),
});
export type AnomalyDetectedV1 = z.infer<typeof anomalyDetectedV1>;

const methodAccuracy = z.object({
  method: z.string().min(1),
  /** Mean absolute scaled error over the backtest origins (null when undefined: a flat series). */
  mase: z.number().nullable(),
  smape: z.number().nullable(),
  /** Share of actual values inside the prediction interval. */
  coverage: z.number().nullable(),
});

/**
 * predictive-staging → anyone (staging predictions, load-based LB weights): a forecast of one KPI
 * series for its next `horizon` windows, with the method in service and why it was chosen.
 */
export const forecastPublishedV1 = z.object({
  forecastId: z.string().min(1),
  seriesId: z.string().min(1),
  series: kpiSeriesLabels,
  madeAt: timestamp,
  /** Time of the first forecast value; the others follow `stepMs` apart. */
  firstAt: timestamp,
  stepMs: z.number().int().positive(),
  horizon: z.number().int().positive(),
  level: z.number().gt(0).lt(1),
  values: z.array(z.number()),
  lower: z.array(z.number()),
  upper: z.array(z.number()),
  model: z.object({
    kind: z.enum(['lstm', 'baseline']),
    method: z.string().min(1),
    reason: z.enum(['lstm-beat-best-baseline', 'lstm-not-better', 'lstm-unavailable']),
    explanation: z.string(),
  }),
  backtest: z.array(methodAccuracy),
});
export type ForecastPublishedV1 = z.infer<typeof forecastPublishedV1>;

/** Which proposal an event of staging.events is about. */
const proposalIdentity = {
  proposalId: z.string().uuid(),
  kind: z.enum(['index', 'lb-weights', 'app-version']),
  stack: z.string().min(1),
  environment: z.string().min(1),
  component: z.string().min(1),
  title: z.string().min(1).max(500),
};

/**
 * predictive-staging → anyone (dashboards, notifications, the registry once promotion lands): a
 * proposal was made or moved (`proposed`, `staged`, `validated`, `promoted`, `rejected`), with why.
 */
export const proposalChangedV1 = z.object({
  ...proposalIdentity,
  from: z.enum(['proposed', 'staged', 'validated', 'promoted', 'rejected']).nullable(),
  status: z.enum(['proposed', 'staged', 'validated', 'promoted', 'rejected']),
  reason: z.string().max(4_000),
  actor: z.string().min(1).max(300),
});
export type ProposalChangedV1 = z.infer<typeof proposalChangedV1>;

/**
 * predictive-staging → anyone: what production showed over the window after a promotion, beside
 * what was predicted (the proposal's track record). Once per promoted proposal; the figures are on
 * the proposal (`observed.window`).
 */
export const proposalObservedV1 = z.object({
  ...proposalIdentity,
  promotedAt: z.string().datetime(),
  windowMs: z.number().int().positive(),
  /** 1 − after ÷ before of what was judged (positive: better); null when nothing was measured both times. */
  reduction: z.number().nullable(),
  predictedReduction: z.number().nullable(),
  verdict: z.enum(['held', 'fell-short', 'not-observed', 'no-data']),
  summary: z.string().max(4_000),
});
export type ProposalObservedV1 = z.infer<typeof proposalObservedV1>;
