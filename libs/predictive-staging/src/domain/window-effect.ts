import type { ObservedEffect } from './observed-effect';

/** One KPI series' values in the window before the promotion and in the window after it. */
export interface SeriesWindows {
  seriesId: string;
  metric: string;
  node: string | null;
  stackConfig: string | null;
  before: readonly number[];
  after: readonly number[];
}

export interface SeriesEffect {
  seriesId: string;
  metric: string;
  node: string | null;
  stackConfig: string | null;
  /** Mean of the window values before / after; null when the window had none. */
  beforeMean: number | null;
  afterMean: number | null;
  beforePoints: number;
  afterPoints: number;
  /** 1 − after ÷ before (positive: lower after, better for the latency and error metrics observed); null without both. */
  reduction: number | null;
}

/**
 * - `held`: the observed reduction is at least half the predicted one (or, with no prediction, positive);
 * - `fell-short`: positive, but under half the prediction;
 * - `not-observed`: no reduction, or worse;
 * - `no-data`: nothing was measured both before and after.
 */
export type WindowVerdict = 'held' | 'fell-short' | 'not-observed' | 'no-data';

export interface WindowEffect {
  windowMs: number;
  promotedAt: string;
  /** The window after the promotion ends here; the window before it started `windowMs` before the promotion. */
  until: string;
  observedAt: string;
  /** For an index: production's statement times now, beside those before the deploy. */
  statements: ObservedEffect | null;
  series: SeriesEffect[];
  /** The reduction judged: the statements' when they were measured, else the mean of the series' reductions. */
  reduction: number | null;
  predictedReduction: number | null;
  verdict: WindowVerdict;
  summary: string;
}

export interface WindowEffectInput {
  windowMs: number;
  promotedAt: Date;
  observedAt: Date;
  statements: ObservedEffect | null;
  series: readonly SeriesWindows[];
  predictedReduction: number | null;
}

/**
 * What production showed over the window after a promotion, beside what was predicted: the track
 * record of a proposal. Pure: the figures are read by the caller. A series without values on one
 * side is listed but not judged, never counted as zero; statements measured on production (an
 * index) are judged before the series, since they measure exactly what the change touched.
 */
export function windowEffect(input: WindowEffectInput): WindowEffect {
  const series = input.series.map(seriesEffect);
  const judged = series.map((effect) => effect.reduction).filter((reduction): reduction is number => reduction !== null);
  const statementReduction = input.statements?.timeReduction ?? null;
  const reduction = statementReduction ?? (judged.length > 0 ? round(judged.reduce((sum, value) => sum + value, 0) / judged.length) : null);
  const verdict = verdictOf(reduction, input.predictedReduction);
  return {
    windowMs: input.windowMs,
    promotedAt: input.promotedAt.toISOString(),
    until: new Date(input.promotedAt.getTime() + input.windowMs).toISOString(),
    observedAt: input.observedAt.toISOString(),
    statements: input.statements,
    series,
    reduction,
    predictedReduction: input.predictedReduction,
    verdict,
    summary: summaryOf(verdict, reduction, input.predictedReduction, statementReduction !== null ? 'statement time on production' : `${judged.length} KPI series`),
  };
}

/** What of a proposal says what it predicted. */
export interface PredictingProposal {
  kind: 'index' | 'lb-weights' | 'app-version';
  staging: Record<string, unknown> | null;
  expected: Record<string, unknown>;
}

/**
 * What the proposal predicted, as a reduction: an index, the time staging measured it save; an
 * app version, the mean of the reductions expected on its regressed metrics; lb-weights predict
 * loads at the peak, not a reduction of what is observed (null).
 */
export function predictedReduction(proposal: PredictingProposal): number | null {
  if (proposal.kind === 'index') {
    const measured = (proposal.staging as { measurement?: { timeReduction?: unknown } } | null)?.measurement?.timeReduction;
    return typeof measured === 'number' ? measured : null;
  }
  if (proposal.kind === 'app-version') {
    const metrics = (proposal.expected['metrics'] as { expectedReduction?: unknown }[] | undefined) ?? [];
    const reductions = metrics.map((metric) => metric.expectedReduction).filter((value): value is number => typeof value === 'number');
    return reductions.length > 0 ? round(reductions.reduce((sum, value) => sum + value, 0) / reductions.length) : null;
  }
  return null;
}

function seriesEffect(windows: SeriesWindows): SeriesEffect {
  const beforeMean = mean(windows.before);
  const afterMean = mean(windows.after);
  return {
    seriesId: windows.seriesId,
    metric: windows.metric,
    node: windows.node,
    stackConfig: windows.stackConfig,
    beforeMean: beforeMean === null ? null : round(beforeMean),
    afterMean: afterMean === null ? null : round(afterMean),
    beforePoints: windows.before.length,
    afterPoints: windows.after.length,
    reduction: beforeMean !== null && afterMean !== null && beforeMean > 0 ? round(1 - afterMean / beforeMean) : null,
  };
}

function verdictOf(reduction: number | null, predicted: number | null): WindowVerdict {
  if (reduction === null) return 'no-data';
  if (reduction <= 0) return 'not-observed';
  if (predicted === null || predicted <= 0) return 'held';
  return reduction >= predicted / 2 ? 'held' : 'fell-short';
}

function summaryOf(verdict: WindowVerdict, reduction: number | null, predicted: number | null, basis: string): string {
  const predictedText = predicted === null ? 'no prediction' : `predicted ${percent(predicted)}`;
  if (verdict === 'no-data') return `nothing measured both before and after the promotion (${predictedText})`;
  return `${verdict}: observed ${percent(reduction as number)} (${basis}), ${predictedText}`;
}

function percent(reduction: number): string {
  return `${reduction >= 0 ? '-' : '+'}${Math.abs(Math.round(reduction * 100))} %`;
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}
