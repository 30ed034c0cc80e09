import { type GroupedSamples, SequentialCanaryJudge, type SequentialJudgeSettings, type SequentialJudgement, compareProportions, formatNumber, formatP, formatPercent } from '@strata/analytics';

/**
 * What one side served in one KPI window: production is the stable config's own traffic, the
 * mirror side the copies the gateway sent to the staging config in the same window.
 */
export interface MirrorSideFigures {
  requests: number;
  clientErrors: number;
  serverErrors: number;
  connectErrors: number;
  /** Every request's latency (ms) as a histogram: each bucket's value with its count. */
  latency: GroupedSamples;
  /** Mirror side with `compareBodies`: copies whose JSON body was compared with production's, and those that differed. */
  bodyComparisons?: number;
  bodyMismatches?: number;
}

export interface MirrorWindow {
  windowStart: number;
  production: MirrorSideFigures;
  mirror: MirrorSideFigures;
}

export type MirrorVerdict = 'pass' | 'fail' | 'inconclusive';

/** One side's figures over the whole trial. */
export interface MirrorSideSummary {
  requests: number;
  /** Share of requests answered 2xx/3xx, 4xx, 5xx, and not answered (connect errors, timeouts). */
  shares: { ok: number; clientErrors: number; serverErrors: number; connectErrors: number } | null;
  /** Percentiles of the latency histogram (ms), null without latency. */
  latencyMs: { p50: number; p90: number; p99: number } | null;
}

export interface MirrorJudgement {
  verdict: MirrorVerdict;
  /** One sentence per finding, the verdict's reason first. */
  findings: string[];
  windows: number;
  production: MirrorSideSummary;
  mirror: MirrorSideSummary;
  /** The canary judge's figures: errors (5xx and unanswered) and latency, staging against production. */
  judge: {
    errorsRegressed: boolean;
    errorsPValue: number;
    latencyRegressed: boolean;
    latencyShift: number | null;
    latencyInterval: [number, number] | null;
    latencyPValue: number | null;
  } | null;
  /** The 4xx share compared on its own: staging answering requests differently shows there first. */
  clientErrors: { production: number; mirror: number; difference: number; pValue: number; test: string; differs: boolean } | null;
  /** JSON bodies compared (copies against production's answers), when any was. */
  bodies: { compared: number; mismatched: number; share: number; differs: boolean } | null;
}

export interface MirrorJudgeOptions {
  /** Requests each side must have served for a pass: fewer is inconclusive, never a pass. */
  minRequests: number;
  /** 4xx shares apart by more than this (absolute) and significant at `alpha` differ. */
  clientErrorTolerance?: number;
  alpha?: number;
  /** Share of compared JSON bodies that may differ (after the ignored fields); 0 by default: any difference fails. */
  bodyMismatchTolerance?: number;
}

/**
 * The rollout judge's tolerances (routing-control's canary analysis): 0.5 pp on errors, 10 % and
 * 1 ms on latency. Mirrored copies are a thin sample of a window, so windows merge into blocks of
 * 25 latencies a side before latency is compared; the staging config gets no warm-up allowance: a
 * cold start under mirrored load is what it would show on promotion.
 */
export const MIRROR_JUDGE_SETTINGS: Partial<SequentialJudgeSettings> = {
  errorAbsoluteTolerance: 0.005,
  latencyTolerance: 0.1,
  latencyAbsoluteTolerance: 1,
  blockRequests: 25,
  minimumBlocks: 2,
  warmUpRequests: 0,
};

/**
 * The verdict of a mirrored trial: the sequential canary judge fed the trial's windows in order,
 * staging's copies as the canary and production's requests as the baseline (errors are 5xx and
 * unanswered copies, so a staging config that is down fails), plus a two-sided test of the 4xx
 * share. Fail when either regressed; inconclusive when a side served fewer than `minRequests` or
 * has no latency; pass otherwise ("no regression shown", as a rollout's analysis step says it).
 */
export function judgeMirrorTrial(windows: readonly MirrorWindow[], options: MirrorJudgeOptions): MirrorJudgement {
  const ordered = [...windows].sort((left, right) => left.windowStart - right.windowStart);
  const production = summarise(ordered.map((window) => window.production));
  const mirror = summarise(ordered.map((window) => window.mirror));
  const base = { windows: ordered.length, production, mirror };
  if (production.requests === 0 || mirror.requests === 0) {
    const side = mirror.requests === 0 ? 'staging received no mirrored request' : 'production served no request';
    return { verdict: 'inconclusive', findings: [`insufficient data: ${side} in ${ordered.length} KPI window(s)`], ...base, judge: null, clientErrors: null, bodies: null };
  }
  const judgement = runJudge(ordered);
  const clientErrors = compareClientErrors(ordered, options);
  const bodies = compareBodies(ordered, options);
  const findings = [errorFinding(judgement), latencyFinding(judgement), clientErrorFinding(clientErrors), ...(bodies ? [bodyFinding(bodies)] : [])];
  const judge = {
    errorsRegressed: judgement.regressions.includes('errors'),
    errorsPValue: judgement.errors.pValue,
    latencyRegressed: judgement.regressions.includes('latency'),
    latencyShift: judgement.latency.shift,
    latencyInterval: judgement.latency.lower === null || judgement.latency.upper === null ? null : ([judgement.latency.lower, judgement.latency.upper] as [number, number]),
    latencyPValue: judgement.latency.pValue,
  };
  const failed = [...(judge.errorsRegressed ? ['errors'] : []), ...(judge.latencyRegressed ? ['latency'] : []), ...(clientErrors.differs ? ['4xx share'] : []), ...(bodies?.differs ? ['JSON bodies'] : [])];
  if (failed.length > 0) {
    return { verdict: 'fail', findings: [`staging differs from production: ${failed.join(', ')}`, ...findings], ...base, judge, clientErrors, bodies };
  }
  if (production.requests < options.minRequests || mirror.requests < options.minRequests || production.latencyMs === null || mirror.latencyMs === null) {
    const shortfall = `${production.requests} production and ${mirror.requests} mirrored requests, ${options.minRequests} per side required`;
    return { verdict: 'inconclusive', findings: [`insufficient data: ${shortfall}`, ...findings], ...base, judge, clientErrors, bodies };
  }
  return { verdict: 'pass', findings: [`no regression shown after ${mirror.requests} mirrored requests`, ...findings], ...base, judge, clientErrors, bodies };
}

function runJudge(windows: readonly MirrorWindow[]): SequentialJudgement {
  const judge = new SequentialCanaryJudge(MIRROR_JUDGE_SETTINGS);
  let judgement: SequentialJudgement | null = null;
  for (const { production, mirror } of windows) {
    if (production.requests === 0 && mirror.requests === 0) continue;
    judgement = judge.observe({ baseline: sideWindow(production), canary: sideWindow(mirror) });
    // A fail at any window stands: the judge may be read after every one.
    if (judgement.verdict === 'fail') break;
  }
  return judgement as SequentialJudgement;
}

function sideWindow(side: MirrorSideFigures): { requests: number; errors: number; latencies: GroupedSamples } {
  // The judge compares log latencies: a request timed at 0 ms counts as 1 µs, far under the 1 ms tolerance.
  const values = side.latency.values.map((value) => Math.max(value, 0.001));
  return { requests: side.requests, errors: side.serverErrors + side.connectErrors, latencies: { values, counts: side.latency.counts } };
}

function compareClientErrors(windows: readonly MirrorWindow[], options: MirrorJudgeOptions): NonNullable<MirrorJudgement['clientErrors']> {
  const total = (side: 'production' | 'mirror', field: 'requests' | 'clientErrors') => windows.reduce((sum, window) => sum + window[side][field], 0);
  const alpha = options.alpha ?? 0.01;
  const tolerance = options.clientErrorTolerance ?? 0.01;
  const test = compareProportions({ errors: total('production', 'clientErrors'), total: total('production', 'requests') }, { errors: total('mirror', 'clientErrors'), total: total('mirror', 'requests') }, 1 - alpha);
  return {
    production: test.baselineRate,
    mirror: test.canaryRate,
    difference: test.difference,
    pValue: test.pValue,
    test: test.test,
    differs: test.pValue < alpha && Math.abs(test.difference) > tolerance,
  };
}

function compareBodies(windows: readonly MirrorWindow[], options: MirrorJudgeOptions): MirrorJudgement['bodies'] {
  const compared = windows.reduce((sum, window) => sum + (window.mirror.bodyComparisons ?? 0), 0);
  if (compared === 0) return null;
  const mismatched = windows.reduce((sum, window) => sum + (window.mirror.bodyMismatches ?? 0), 0);
  const share = mismatched / compared;
  return { compared, mismatched, share, differs: share > (options.bodyMismatchTolerance ?? 0) };
}

function bodyFinding(bodies: NonNullable<MirrorJudgement['bodies']>): string {
  return `JSON bodies: ${bodies.differs ? 'differ' : 'no difference beyond the tolerance'}: ${bodies.mismatched} of ${bodies.compared} compared copies differ from production's answer (${(100 * bodies.share).toFixed(2)} %)`;
}

function summarise(sides: readonly MirrorSideFigures[]): MirrorSideSummary {
  const sum = (field: 'requests' | 'clientErrors' | 'serverErrors' | 'connectErrors') => sides.reduce((total, side) => total + side[field], 0);
  const requests = sum('requests');
  const shares =
    requests === 0
      ? null
      : {
          ok: (requests - sum('clientErrors') - sum('serverErrors') - sum('connectErrors')) / requests,
          clientErrors: sum('clientErrors') / requests,
          serverErrors: sum('serverErrors') / requests,
          connectErrors: sum('connectErrors') / requests,
        };
  return { requests, shares, latencyMs: percentiles(sides.map((side) => side.latency)) };
}

/** Percentiles of merged histograms: the value of the bucket holding the rank (nearest rank). */
export function percentiles(histograms: readonly GroupedSamples[]): MirrorSideSummary['latencyMs'] {
  const merged = new Map<number, number>();
  for (const histogram of histograms) {
    histogram.values.forEach((value, index) => merged.set(value, (merged.get(value) ?? 0) + (histogram.counts[index] ?? 0)));
  }
  const buckets = [...merged.entries()].filter(([, count]) => count > 0).sort(([left], [right]) => left - right);
  const total = buckets.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return null;
  const at = (quantile: number): number => {
    const rank = Math.max(1, Math.ceil(quantile * total));
    let seen = 0;
    for (const [value, count] of buckets) {
      seen += count;
      if (seen >= rank) return value;
    }
    return buckets[buckets.length - 1][0];
  };
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99) };
}

function errorFinding({ errors, regressions, baselineRequests, canaryRequests }: SequentialJudgement): string {
  const rate = (value: number | null) => (value === null ? 'n/a' : `${(100 * value).toFixed(2)} %`);
  return `errors (5xx and unanswered): ${regressions.includes('errors') ? 'regression' : 'no regression shown'}: staging ${rate(errors.canaryRate)} of ${canaryRequests} against production ${rate(errors.baselineRate)} of ${baselineRequests}, always-valid p = ${formatP(errors.pValue)} (fail below ${formatP(errors.level)})`;
}

function latencyFinding({ latency, regressions }: SequentialJudgement): string {
  if (latency.shift === null || latency.baselineLatency === null) return `latency: not compared: ${latency.blocks} block(s) of 25 requests a side`;
  const interval = latency.lower === null || latency.upper === null ? '' : `, always-valid interval ${formatPercent(latency.lower)} … ${formatPercent(latency.upper)}`;
  return `latency: ${regressions.includes('latency') ? 'regression' : 'no regression shown'}: staging shift ${formatPercent(latency.shift)} of production's geometric mean ${formatNumber(latency.baselineLatency)} ms${interval} over ${latency.blocks} blocks`;
}

function clientErrorFinding(test: NonNullable<MirrorJudgement['clientErrors']>): string {
  const share = (value: number) => `${(100 * value).toFixed(2)} %`;
  return `4xx share: ${test.differs ? 'differs' : 'no difference shown'}: staging ${share(test.mirror)} against production ${share(test.production)} (${test.test}, p = ${formatP(test.pValue)})`;
}
