import { JudgeInputError } from '../canary-judge';
import { type GroupedSamples, isGroupedSamples } from '../grouped-samples';
import { longRunVariance, mixturePValue, mixtureRadius, seriesMoments } from './confidence-sequence';
import { LogLatencyMoments } from './log-latency-moments';
import { RateRatioEProcess } from './rate-e-process';
import { RateSpendingTest } from './rate-spending-test';

/**
 * One side of one time window: its requests, the failed ones, and the latency of each request, in
 * arrival order or as a histogram (order lost: the request-to-request correlation is then not
 * estimated, and the blocks' own spread carries the adjustment alone).
 */
export interface SideWindow {
  readonly requests: number;
  readonly errors: number;
  readonly latencies: readonly number[] | GroupedSamples;
}

/** Baseline and canary over the same time window. */
export interface CanaryWindow {
  readonly baseline: SideWindow;
  readonly canary: SideWindow;
}

export interface SequentialJudgeSettings {
  /** Chance of a false fail over the whole watch, however often it is read, both metrics together. */
  readonly alpha: number;
  /** The error-rate test's share of `alpha`; latency gets the rest. */
  readonly errorAlphaShare: number;
  /** Canary requests by which the error-rate test has spent half its share (see {@link RateSpendingTest}). */
  readonly errorHalfSpentAt: number;
  /** A latency rise (canary over baseline geometric mean) beyond this share, and beyond `latencyAbsoluteTolerance` (ms), is a regression. */
  readonly latencyTolerance: number;
  readonly latencyAbsoluteTolerance: number;
  /** An error-rate rise beyond this share of the baseline rate, and beyond `errorAbsoluteTolerance`, is a regression. */
  readonly errorTolerance: number;
  readonly errorAbsoluteTolerance: number;
  /** Pass needs evidence that the canary's error rate is below this multiple of the baseline's. */
  readonly errorPassRatio: number;
  /** Windows are merged into blocks until each side has this many latencies. */
  readonly blockRequests: number;
  /** No verdict before this many latency blocks: the variance of the blocks is estimated from them. */
  readonly minimumBlocks: number;
  /**
   * The canary's first requests are a cold start, not the version under test: left out of the
   * latency test. Not of the error test: a request that fails while the canary warms up failed.
   */
  readonly warmUpRequests: number;
  /** Blocks at which the latency confidence sequence is tightest. */
  readonly tightestAtBlocks: number;
}

export const DEFAULT_SEQUENTIAL_JUDGE_SETTINGS: SequentialJudgeSettings = {
  alpha: 0.01,
  errorAlphaShare: 0.6,
  errorHalfSpentAt: 500,
  latencyTolerance: 0.1,
  latencyAbsoluteTolerance: 0,
  errorTolerance: 0.1,
  errorAbsoluteTolerance: 0,
  errorPassRatio: 2,
  blockRequests: 25,
  minimumBlocks: 6,
  warmUpRequests: 100,
  tightestAtBlocks: 10,
};

export type SequentialVerdict = 'continue' | 'pass' | 'fail';

export interface SequentialJudgement {
  readonly verdict: SequentialVerdict;
  /** The metrics that regressed (a fail names at least one). */
  readonly regressions: readonly ('latency' | 'errors')[];
  readonly reason: string;
  /** Requests judged per side (by the error test: the warm-up included). */
  readonly baselineRequests: number;
  readonly canaryRequests: number;
  readonly latency: {
    readonly blocks: number;
    /** Mean of the blocks' differences of mean log latency, as a relative shift (0.2 = 20 % slower). */
    readonly shift: number | null;
    /** The baseline's geometric mean latency and the shift in its unit (ms). */
    readonly baselineLatency: number | null;
    readonly absoluteShift: number | null;
    /** Always-valid interval of the relative shift at 1 − alpha. */
    readonly lower: number | null;
    readonly upper: number | null;
    /**
     * Always-valid p-value of "no slower than the baseline" (shift ≤ 0), the lowest over the looks
     * so far (null: not compared yet). Below `level` exactly when the interval's lower end has been
     * above 0 at some look; a fail also needs the shift beyond the tolerances.
     */
    readonly pValue: number | null;
    /** Latency's share of alpha: the p-value a fail needs to be under. */
    readonly level: number;
  };
  readonly errors: {
    readonly baselineRate: number | null;
    readonly canaryRate: number | null;
    /** The canary's errors counted by the test, and the count that fails at this look (null: none can yet). */
    readonly canaryErrors: number;
    readonly boundary: number | null;
    /**
     * Always-valid p-value of "no more errors than the baseline" (equal rates): the sequential test's
     * stage-wise-ordering p-value once it has crossed, below `level`; before, `level` plus the Ville
     * bound 1 / max E of a mixture e-process, so at least `level`. Below `level` exactly when the
     * test has crossed at some look; a fail also needs the rise beyond the tolerances.
     */
    readonly pValue: number;
    /** The error test's share of alpha: the p-value a fail needs to be under. */
    readonly level: number;
  };
}

const INCREASES = [1.25, 1.5, 2, 3, 5];

/**
 * Watches a canary window by window and calls a regression as soon as the evidence suffices,
 * without the false fails that re-running a fixed-sample test after every window piles up.
 *
 * - **Latency** is compared per block of concurrent windows: the canary's mean log latency minus
 *   the baseline's (a ratio of geometric means). Both sides of a block share its moment, so diurnal
 *   drift cancels; the log tames the long tail; and the blocks' variance is estimated from the blocks
 *   themselves, inflated for their autocorrelation (a slow node, bursts, AR latencies), rather than
 *   assumed from independent requests. The mean ratio gets a normal-mixture confidence sequence.
 * - **Errors** go through {@link RateSpendingTest}, exact given each window's traffic split, with
 *   its share of α spent over the canary's requests; pass uses {@link RateRatioEProcess}.
 *
 * A critical regression of either fails; pass needs the latency interval inside the tolerance and
 * the error rate shown below `errorPassRatio` times the baseline's; otherwise it goes on.
 */
export class SequentialCanaryJudge {
  readonly settings: SequentialJudgeSettings;
  private readonly blockShifts: number[] = [];
  private readonly blockFloors: number[] = [];
  private readonly failTest: RateSpendingTest;
  private readonly passTest: RateRatioEProcess;
  /** Evidence of a rise, for the error p-value before the fail test crosses (not for the decision). */
  private readonly riseEvidence = new RateRatioEProcess(1, INCREASES);
  private maxRiseEvidence = 1;
  private latencyPValue: number | null = null;
  private readonly moments = { baseline: new LogLatencyMoments(), canary: new LogLatencyMoments() };
  private canarySeen = 0;
  private totals = { baselineRequests: 0, baselineErrors: 0, canaryRequests: 0, canaryErrors: 0 };

  constructor(settings: Partial<SequentialJudgeSettings> = {}) {
    this.settings = { ...DEFAULT_SEQUENTIAL_JUDGE_SETTINGS, ...settings };
    const { alpha, errorAlphaShare, errorHalfSpentAt } = this.settings;
    if (!(errorAlphaShare > 0 && errorAlphaShare < 1)) throw new Error(`errorAlphaShare must be in (0, 1), got ${errorAlphaShare}`);
    this.failTest = new RateSpendingTest(alpha * errorAlphaShare, errorHalfSpentAt);
    this.passTest = new RateRatioEProcess(this.settings.errorPassRatio, INCREASES.map((ratio) => this.settings.errorPassRatio / ratio));
  }

  /** Adds the next window and returns the judgement so far; malformed figures throw {@link JudgeInputError}. */
  observe(window: CanaryWindow): SequentialJudgement {
    validateSide('baseline', window.baseline);
    validateSide('canary', window.canary);
    const warmingUp = this.canarySeen < this.settings.warmUpRequests;
    this.canarySeen += window.canary.requests;
    this.addErrors(window);
    if (!warmingUp) this.addLatencies(window);
    return this.judgement();
  }

  private addErrors({ baseline, canary }: CanaryWindow): void {
    this.totals.baselineRequests += baseline.requests;
    this.totals.baselineErrors += baseline.errors;
    this.totals.canaryRequests += canary.requests;
    this.totals.canaryErrors += canary.errors;
    this.failTest.observe(canary.requests, canary.errors, baseline.requests, baseline.errors);
    this.passTest.observe(canary.requests, canary.errors, baseline.requests, baseline.errors);
    this.riseEvidence.observe(canary.requests, canary.errors, baseline.requests, baseline.errors);
    this.maxRiseEvidence = Math.max(this.maxRiseEvidence, this.riseEvidence.value);
  }

  private addLatencies({ baseline, canary }: CanaryWindow): void {
    const { moments } = this;
    moments.baseline.add(baseline.latencies);
    moments.canary.add(canary.latencies);
    if (moments.baseline.pending >= this.settings.blockRequests && moments.canary.pending >= this.settings.blockRequests) {
      const canaryBlock = moments.canary.takeBlock();
      const baselineBlock = moments.baseline.takeBlock();
      this.blockShifts.push(canaryBlock.mean - baselineBlock.mean);
      // The variance of the difference if each side's requests were AR(1) with the variance and
      // lag-1 correlation seen so far (independent ones: factor 1): the floor of the blocks' own estimate.
      this.blockFloors.push(moments.canary.varianceOfMean(canaryBlock.count) + moments.baseline.varianceOfMean(baselineBlock.count));
    }
  }

  private judgement(): SequentialJudgement {
    const { alpha, errorAlphaShare, latencyTolerance, minimumBlocks, tightestAtBlocks } = this.settings;
    const blocks = this.blockShifts.length;
    const { baselineRequests, baselineErrors, canaryRequests, canaryErrors } = this.totals;
    const baselineRate = baselineRequests === 0 ? null : baselineErrors / baselineRequests;
    const canaryRate = canaryRequests === 0 ? null : canaryErrors / canaryRequests;
    const { canaryErrors: countedErrors, boundary } = this.failTest.state;
    const errorLevel = alpha * errorAlphaShare;
    const latencyLevel = alpha * (1 - errorAlphaShare);
    const errorPValue = this.failTest.crossingPValue ?? Math.min(1, errorLevel + 1 / this.maxRiseEvidence);
    const errors = { baselineRate, canaryRate, canaryErrors: countedErrors, boundary, pValue: errorPValue, level: errorLevel };
    const common = { baselineRequests, canaryRequests, errors };

    const errorFails = this.failTest.crossed && this.errorBeyondTolerance(baselineRate, canaryRate);
    const baselineLatency = this.moments.baseline.geometricMean;
    let latency: SequentialJudgement['latency'] = { blocks, shift: null, lower: null, upper: null, baselineLatency, absoluteShift: null, pValue: this.latencyPValue, level: latencyLevel };
    let latencyFails = false;
    let latencyPasses = false;
    if (blocks >= Math.max(minimumBlocks, 2)) {
      const { mean } = seriesMoments(this.blockShifts);
      const floor = this.blockFloors.reduce((sum, value) => sum + value, 0) / blocks;
      // Two-sided at twice latency's share: its upper side (the fail) holds at that share.
      const variance = longRunVariance(this.blockShifts, floor);
      const radius = mixtureRadius(blocks, variance, 2 * latencyLevel, tightestAtBlocks);
      // One side of the same two-sided mixture: below latencyLevel exactly when mean − radius > 0.
      const lookPValue = mean > 0 ? mixturePValue(blocks, variance, mean, tightestAtBlocks) / 2 : 1;
      this.latencyPValue = Math.min(this.latencyPValue ?? 1, lookPValue);
      const bound = Math.log1p(latencyTolerance);
      const absoluteShift = baselineLatency === null ? null : baselineLatency * Math.expm1(mean);
      latency = { blocks, shift: Math.expm1(mean), lower: Math.expm1(mean - radius), upper: Math.expm1(mean + radius), baselineLatency, absoluteShift, pValue: this.latencyPValue, level: latencyLevel };
      latencyFails = mean - radius > 0 && mean > bound && (absoluteShift ?? 0) > this.settings.latencyAbsoluteTolerance;
      latencyPasses = mean + radius < bound;
    }
    if (latencyFails || errorFails) {
      const reasons = [
        ...(latencyFails ? [`latency ${formatShift(latency.shift)} (always-valid interval ${formatShift(latency.lower)} … ${formatShift(latency.upper)}) beyond ${formatShift(latencyTolerance)}`] : []),
        ...(errorFails ? [`error rate ${formatRate(canaryRate)} against ${formatRate(baselineRate)}, ${countedErrors} canary errors reached the sequential test's boundary ${String(boundary)}`] : []),
      ];
      const regressions = [...(latencyFails ? (['latency'] as const) : []), ...(errorFails ? (['errors'] as const) : [])];
      return { ...common, latency, verdict: 'fail', regressions, reason: `regression: ${reasons.join('; ')}` };
    }
    if (latencyPasses && this.passTest.value >= 2 / alpha) {
      return { ...common, latency, verdict: 'pass', regressions: [], reason: `no regression: latency within ${formatShift(latencyTolerance)} and error rate below ${this.settings.errorPassRatio}× the baseline's` };
    }
    return { ...common, latency, verdict: 'continue', regressions: [], reason: `not yet decided after ${canaryRequests} canary requests (${blocks} latency blocks)` };
  }

  private errorBeyondTolerance(baselineRate: number | null, canaryRate: number | null): boolean {
    if (baselineRate === null || canaryRate === null) return false;
    const rise = canaryRate - baselineRate;
    return rise > this.settings.errorTolerance * baselineRate && rise > this.settings.errorAbsoluteTolerance;
  }
}

function validateSide(side: string, figures: SideWindow): void {
  if (!Number.isInteger(figures.requests) || figures.requests < 0) throw new JudgeInputError(`${side}.requests must be a non-negative integer, got ${String(figures.requests)}`);
  if (!Number.isInteger(figures.errors) || figures.errors < 0 || figures.errors > figures.requests) {
    throw new JudgeInputError(`${side}.errors must be an integer in [0, ${figures.requests}], got ${String(figures.errors)}`);
  }
  const values = isGroupedSamples(figures.latencies) ? figures.latencies.values : figures.latencies;
  const field = isGroupedSamples(figures.latencies) ? 'latencies.values' : 'latencies';
  const bad = values.findIndex((latency) => typeof latency !== 'number' || !Number.isFinite(latency) || latency <= 0);
  if (bad >= 0) throw new JudgeInputError(`${side}.${field}[${bad}] must be a positive finite number, got ${String(values[bad])}`);
  if (isGroupedSamples(figures.latencies)) {
    const { counts } = figures.latencies;
    const badCount = counts.findIndex((count) => !Number.isInteger(count) || count < 0);
    if (counts.length !== values.length || badCount >= 0) {
      throw new JudgeInputError(`${side}.latencies.counts must be ${values.length} non-negative integers, one per value${badCount >= 0 ? `, got ${String(counts[badCount])} at ${badCount}` : ''}`);
    }
  }
}

function formatShift(value: number | null): string {
  return value === null ? 'n/a' : `${value >= 0 ? '+' : ''}${(100 * value).toFixed(1)} %`;
}

function formatRate(value: number | null): string {
  return value === null ? 'n/a' : `${(100 * value).toFixed(2)} %`;
}
