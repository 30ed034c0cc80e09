import { JudgeInputError } from '../canary-judge';
import { longRunVariance, mixtureRadius, seriesMoments } from './confidence-sequence';
import { RateRatioEProcess } from './rate-e-process';

/** One side of one time window: its requests, the failed ones, and the latency of each request. */
export interface SideWindow {
  readonly requests: number;
  readonly errors: number;
  readonly latencies: readonly number[];
}

/** Baseline and canary over the same time window. */
export interface CanaryWindow {
  readonly baseline: SideWindow;
  readonly canary: SideWindow;
}

export interface SequentialJudgeSettings {
  /** Chance of a false fail over the whole watch, however often it is read; half for each metric. */
  readonly alpha: number;
  /** A latency rise (canary over baseline median) beyond this share is a regression, 0.1 = 10 %. */
  readonly latencyTolerance: number;
  /** An error-rate rise beyond this share of the baseline rate, and beyond `errorAbsoluteTolerance`, is a regression. */
  readonly errorTolerance: number;
  readonly errorAbsoluteTolerance: number;
  /** Pass needs evidence that the canary's error rate is below this multiple of the baseline's. */
  readonly errorPassRatio: number;
  /** Windows are merged into blocks until each side has this many latencies. */
  readonly blockRequests: number;
  /** No verdict before this many latency blocks: the variance of the blocks is estimated from them. */
  readonly minimumBlocks: number;
  /** The canary's first requests are a cold start, not the version under test: left out of both tests. */
  readonly warmUpRequests: number;
  /** Blocks at which the latency confidence sequence is tightest. */
  readonly tightestAtBlocks: number;
}

export const DEFAULT_SEQUENTIAL_JUDGE_SETTINGS: SequentialJudgeSettings = {
  alpha: 0.01,
  latencyTolerance: 0.1,
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
  /** Requests judged per side (after the warm-up). */
  readonly baselineRequests: number;
  readonly canaryRequests: number;
  readonly latency: {
    readonly blocks: number;
    /** Mean of the blocks' differences of mean log latency, as a relative shift (0.2 = 20 % slower). */
    readonly shift: number | null;
    /** Always-valid interval of the relative shift at 1 − alpha. */
    readonly lower: number | null;
    readonly upper: number | null;
  };
  readonly errors: { readonly baselineRate: number | null; readonly canaryRate: number | null; readonly eValue: number };
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
 * - **Errors** go through {@link RateRatioEProcess}, exact given each window's traffic split.
 *
 * A critical regression of either fails; pass needs the latency interval inside the tolerance and
 * the error rate shown below `errorPassRatio` times the baseline's; otherwise it goes on.
 */
export class SequentialCanaryJudge {
  readonly settings: SequentialJudgeSettings;
  private readonly blockShifts: number[] = [];
  private readonly blockFloors: number[] = [];
  private pendingBaseline: number[] = [];
  private pendingCanary: number[] = [];
  private readonly failTest: RateRatioEProcess;
  private readonly passTest: RateRatioEProcess;
  private readonly serial = { baseline: new SerialCorrelation(), canary: new SerialCorrelation() };
  private canarySeen = 0;
  private totals = { baselineRequests: 0, baselineErrors: 0, canaryRequests: 0, canaryErrors: 0 };

  constructor(settings: Partial<SequentialJudgeSettings> = {}) {
    this.settings = { ...DEFAULT_SEQUENTIAL_JUDGE_SETTINGS, ...settings };
    this.failTest = new RateRatioEProcess(1, INCREASES);
    this.passTest = new RateRatioEProcess(this.settings.errorPassRatio, INCREASES.map((ratio) => this.settings.errorPassRatio / ratio));
  }

  /** Adds the next window and returns the judgement so far; malformed figures throw {@link JudgeInputError}. */
  observe(window: CanaryWindow): SequentialJudgement {
    validateSide('baseline', window.baseline);
    validateSide('canary', window.canary);
    const warmingUp = this.canarySeen < this.settings.warmUpRequests;
    this.canarySeen += window.canary.requests;
    if (!warmingUp) this.add(window);
    return this.judgement();
  }

  private add({ baseline, canary }: CanaryWindow): void {
    this.totals.baselineRequests += baseline.requests;
    this.totals.baselineErrors += baseline.errors;
    this.totals.canaryRequests += canary.requests;
    this.totals.canaryErrors += canary.errors;
    this.failTest.observe(canary.requests, canary.errors, baseline.requests, baseline.errors);
    this.passTest.observe(canary.requests, canary.errors, baseline.requests, baseline.errors);
    for (const latency of baseline.latencies) this.pendingBaseline.push(this.serial.baseline.add(Math.log(latency)));
    for (const latency of canary.latencies) this.pendingCanary.push(this.serial.canary.add(Math.log(latency)));
    if (this.pendingBaseline.length >= this.settings.blockRequests && this.pendingCanary.length >= this.settings.blockRequests) {
      const canaryMoments = seriesMoments(this.pendingCanary);
      const baselineMoments = seriesMoments(this.pendingBaseline);
      this.blockShifts.push(canaryMoments.mean - baselineMoments.mean);
      // The variance of the difference if each side's requests were AR(1) with the variance and
      // lag-1 correlation seen so far (independent ones: factor 1): the floor of the blocks' own estimate.
      this.blockFloors.push(this.serial.canary.varianceOfMean(this.pendingCanary.length) + this.serial.baseline.varianceOfMean(this.pendingBaseline.length));
      this.pendingBaseline = [];
      this.pendingCanary = [];
    }
  }

  private judgement(): SequentialJudgement {
    const { alpha, latencyTolerance, minimumBlocks, tightestAtBlocks } = this.settings;
    const blocks = this.blockShifts.length;
    const { baselineRequests, baselineErrors, canaryRequests, canaryErrors } = this.totals;
    const baselineRate = baselineRequests === 0 ? null : baselineErrors / baselineRequests;
    const canaryRate = canaryRequests === 0 ? null : canaryErrors / canaryRequests;
    const errors = { baselineRate, canaryRate, eValue: this.failTest.value };
    const common = { baselineRequests, canaryRequests, errors };

    const errorFails = this.failTest.value >= 2 / alpha && this.errorBeyondTolerance(baselineRate, canaryRate);
    let latency: SequentialJudgement['latency'] = { blocks, shift: null, lower: null, upper: null };
    let latencyFails = false;
    let latencyPasses = false;
    if (blocks >= Math.max(minimumBlocks, 2)) {
      const { mean } = seriesMoments(this.blockShifts);
      const floor = this.blockFloors.reduce((sum, value) => sum + value, 0) / blocks;
      const radius = mixtureRadius(blocks, longRunVariance(this.blockShifts, floor), alpha, tightestAtBlocks);
      const bound = Math.log1p(latencyTolerance);
      latency = { blocks, shift: Math.expm1(mean), lower: Math.expm1(mean - radius), upper: Math.expm1(mean + radius) };
      latencyFails = mean - radius > 0 && mean > bound;
      latencyPasses = mean + radius < bound;
    }
    if (latencyFails || errorFails) {
      const reasons = [
        ...(latencyFails ? [`latency ${formatShift(latency.shift)} (always-valid interval ${formatShift(latency.lower)} … ${formatShift(latency.upper)}) beyond ${formatShift(latencyTolerance)}`] : []),
        ...(errorFails ? [`error rate ${formatRate(canaryRate)} against ${formatRate(baselineRate)}, e-value ${this.failTest.value.toFixed(0)} ≥ ${(2 / alpha).toFixed(0)}`] : []),
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
  const bad = figures.latencies.findIndex((latency) => typeof latency !== 'number' || !Number.isFinite(latency) || latency <= 0);
  if (bad >= 0) throw new JudgeInputError(`${side}.latencies[${bad}] must be a positive finite number, got ${String(figures.latencies[bad])}`);
}

/**
 * Lag-1 autocorrelation of one side's log latencies in arrival order, pooled over everything seen
 * (deviations from the running mean): the request-level effective-sample-size adjustment.
 */
class SerialCorrelation {
  private count = 0;
  private mean = 0;
  private previous = Number.NaN;
  private products = 0;
  private squares = 0;

  add(value: number): number {
    this.count += 1;
    this.mean += (value - this.mean) / this.count;
    const deviation = value - this.mean;
    if (!Number.isNaN(this.previous)) this.products += deviation * this.previous;
    this.squares += deviation * deviation;
    this.previous = deviation;
    return value;
  }

  /**
   * Variance of the mean of `count` consecutive values: σ²/count times (1 + r)/(1 − r), r clipped
   * to [0, 0.98], which is how much an AR(1) inflates it over independent values.
   */
  varianceOfMean(count: number): number {
    if (this.count < 2) return 0;
    const r = this.squares > 0 ? Math.min(Math.max(this.products / this.squares, 0), 0.98) : 0;
    return ((this.squares / (this.count - 1)) * (1 + r)) / (1 - r) / count;
  }
}

function formatShift(value: number | null): string {
  return value === null ? 'n/a' : `${value >= 0 ? '+' : ''}${(100 * value).toFixed(1)} %`;
}

function formatRate(value: number | null): string {
  return value === null ? 'n/a' : `${(100 * value).toFixed(2)} %`;
}
