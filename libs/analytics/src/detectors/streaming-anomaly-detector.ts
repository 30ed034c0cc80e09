import { AnomalyLikelihood, type AnomalyLikelihoodParameters, type AnomalyLikelihoodState, logLikelihood } from './anomaly-likelihood';
import { Cusum, type CusumParameters, type CusumState } from './cusum';
import { Ewma, type EwmaState } from './ewma';
import { HoltWinters, type HoltWintersParameters, type HoltWintersState } from './holt-winters';
import { detectPeriod } from './period-detection';
import { RollingMedianMad, type RollingMedianMadState } from './rolling-median-mad';
import { SeasonalNaive, type SeasonalNaiveState } from './seasonal-naive';
import { SequenceNovelty, type SequenceNoveltyParameters, type SequenceNoveltyState } from './sequence-novelty';
import { type AnomalySeverity, severityOf } from './severity';

export interface StreamingDetectorConfig {
  /** Rate of the level baseline. */
  readonly ewmaAlpha: number;
  /** Residuals kept per baseline for its median/MAD. */
  readonly residualWindow: number;
  /** How many times the best baseline's residual σ another baseline may have and still explain a sample. */
  readonly baselineScaleTolerance: number;
  /** Residuals a baseline needs before its z-scores are trusted. */
  readonly minResiduals: number;
  /**
   * Sample counts at which the period is sought (until one is found); the last bounds the buffer. It is
   * best the first count that holds two daily cycles of 5-minute data (576): until the season is known,
   * the level baseline takes it for shifts, so every sample beyond that is a chance of a false change point.
   */
  readonly periodCheckpoints: readonly number[];
  readonly minPeriod: number;
  readonly minAutocorrelation: number;
  readonly holtWinters: HoltWintersParameters;
  /** |z| at or below which a residual is unsurprising (raw score 0). */
  readonly zQuiet: number;
  /** |z| at or above which a residual is fully surprising (raw score 1). */
  readonly zSaturated: number;
  readonly likelihood: AnomalyLikelihoodParameters;
  readonly cusum: CusumParameters;
  /**
   * Rate of the running mean and variance of the clipped z that the CUSUM is fed, standardised by them
   * (0 feeds the raw z). Residuals of real series are skewed and heavy-tailed, so their clipped robust z
   * is neither centred nor of unit variance, and a CUSUM on it drifts into false change points.
   */
  readonly changeNormalisationRate: number;
  /**
   * Share of the range seen so far by which a value must leave it to count as novel (score 1), 0 to
   * disable. A value beyond anything seen before is the plainest anomaly, whatever the baselines say.
   */
  readonly rangeTolerance: number;
  /** Samples seen before range novelty may alarm, so the range is learnt first. */
  readonly rangeLearningPeriod: number;
  /**
   * Sequence novelty of the value quantised in the range seen so far, judged by its own anomaly
   * likelihood (averaged over `averagingWindow` samples); null to leave it out.
   */
  readonly sequence: (SequenceNoveltyParameters & { readonly averagingWindow: number }) | null;
  /** Samples after an alarm during which new scores are damped: one incident, one alarm. */
  readonly refractorySamples: number;
  /** Score counted as an alarm for the refractory period. */
  readonly alarmScore: number;
}

/** Global defaults, tuned once on the NAB development subset (never per file or category). */
export const DEFAULT_DETECTOR_CONFIG: StreamingDetectorConfig = {
  ewmaAlpha: 0.1,
  residualWindow: 300,
  baselineScaleTolerance: 2,
  minResiduals: 30,
  periodCheckpoints: [200, 400, 600],
  minPeriod: 4,
  minAutocorrelation: 0.3,
  holtWinters: { alpha: 0.1, beta: 0.01, gamma: 0.2, phi: 0.9 },
  zQuiet: 1,
  zSaturated: 30,
  likelihood: { averagingWindow: 5, historicWindow: 8640, learningPeriod: 150, minSigma: Math.sqrt(0.0003), minMean: 0.03, precedentCalibration: true },
  cusum: { drift: 1, threshold: 20, clip: 4 },
  changeNormalisationRate: 0.01,
  rangeTolerance: 0.05,
  rangeLearningPeriod: 300,
  sequence: { bins: 10, order: 3, averagingWindow: 10 },
  refractorySamples: 100,
  alarmScore: 0.5,
};

/** The detector's verdict on one sample. */
export interface AnomalyResult {
  /** Combined anomaly score in [0, 1]. */
  readonly score: number;
  readonly severity: AnomalySeverity;
  /** Robust z of the residual of the baseline that explains the sample best. */
  readonly zScore: number;
  /** Log-scaled anomaly likelihood of the recent raw scores, in [0, 1]. */
  readonly likelihood: number;
  /** Accumulated evidence of a level shift, in [0, 1]. */
  readonly changeEvidence: number;
  readonly changePoint: boolean;
  /** Detected seasonal period in samples, null while none is known. */
  readonly period: number | null;
  /** Log-scaled anomaly likelihood of recent sequence novelty, in [0, 1]. */
  readonly sequenceLikelihood: number;
  /** Whether the value left the range seen so far. */
  readonly rangeNovel: boolean;
}

type BaselineName = 'ewma' | 'seasonalNaive' | 'holtWinters';

/** Plain, JSON-safe state of a {@link StreamingAnomalyDetector}: restore it to continue identically. */
export interface StreamingDetectorState {
  readonly config: StreamingDetectorConfig;
  readonly seen: number;
  readonly periodSearchDone: boolean;
  readonly period: number | null;
  readonly history: readonly number[];
  readonly ewma: EwmaState;
  readonly seasonalNaive: SeasonalNaiveState | null;
  readonly holtWinters: HoltWintersState | null;
  readonly residuals: Readonly<Record<BaselineName, RollingMedianMadState>>;
  readonly likelihood: AnomalyLikelihoodState;
  readonly cusum: CusumState;
  readonly changeInput: EwmaState;
  readonly range: { readonly min: number; readonly max: number } | null;
  readonly sequence: { readonly novelty: SequenceNoveltyState; readonly likelihood: AnomalyLikelihoodState } | null;
  readonly samplesSinceAlarm: number | null;
}

/**
 * Streaming anomaly detector for one KPI series. Each sample is forecast by robust baselines (EWMA
 * level; once autocorrelation finds a period, seasonal naive and Holt-Winters); each baseline's
 * residual is scored as a z on the median/MAD of its recent residuals, and the smallest |z| among
 * the baselines nearly as accurate as the best one counts (a sample a good baseline explains is fine). That z becomes a raw surprise in [0, 1],
 * whose anomaly likelihood (recent vs long-term surprise) catches unusual bursts, while a CUSUM on
 * the same z catches level shifts. The larger of the two, damped for a while after an alarm, is the
 * score. Costs O(residualWindow) per sample; the state is plain data.
 */
export class StreamingAnomalyDetector {
  private seen: number;
  private periodSearchDone: boolean;
  private period: number | null;
  private history: number[];
  private readonly ewma: Ewma;
  private seasonalNaive: SeasonalNaive | null;
  private holtWinters: HoltWinters | null;
  private readonly residuals: Record<BaselineName, RollingMedianMad>;
  private readonly likelihood: AnomalyLikelihood;
  private readonly cusum: Cusum;
  private readonly changeInput: Ewma;
  private range: { min: number; max: number } | null;
  private readonly sequence: { readonly novelty: SequenceNovelty; readonly likelihood: AnomalyLikelihood } | null;
  private samplesSinceAlarm: number | null;

  constructor(private readonly config: StreamingDetectorConfig = DEFAULT_DETECTOR_CONFIG, state?: StreamingDetectorState) {
    this.seen = state?.seen ?? 0;
    this.periodSearchDone = state?.periodSearchDone ?? false;
    this.period = state?.period ?? null;
    this.history = [...(state?.history ?? [])];
    this.ewma = state ? Ewma.fromJSON(state.ewma) : new Ewma(config.ewmaAlpha);
    this.seasonalNaive = state?.seasonalNaive ? SeasonalNaive.fromJSON(state.seasonalNaive) : null;
    this.holtWinters = state?.holtWinters ? HoltWinters.fromJSON(state.holtWinters) : null;
    this.residuals = {
      ewma: state ? RollingMedianMad.fromJSON(state.residuals.ewma) : new RollingMedianMad(config.residualWindow),
      seasonalNaive: state ? RollingMedianMad.fromJSON(state.residuals.seasonalNaive) : new RollingMedianMad(config.residualWindow),
      holtWinters: state ? RollingMedianMad.fromJSON(state.residuals.holtWinters) : new RollingMedianMad(config.residualWindow),
    };
    this.likelihood = state ? AnomalyLikelihood.fromJSON(state.likelihood) : new AnomalyLikelihood(config.likelihood);
    this.cusum = state ? Cusum.fromJSON(state.cusum) : new Cusum(config.cusum);
    this.changeInput = state ? Ewma.fromJSON(state.changeInput) : new Ewma(config.changeNormalisationRate > 0 ? config.changeNormalisationRate : 1);
    this.samplesSinceAlarm = state?.samplesSinceAlarm ?? null;
    this.range = state?.range ? { ...state.range } : null;
    this.sequence = StreamingAnomalyDetector.sequenceFrom(config, state?.sequence ?? null);
  }

  update(value: number): AnomalyResult {
    this.seen++;
    const zScore = this.bestZScore(value);
    const rawScore = Math.min(1, Math.max(0, (Math.abs(zScore) - this.config.zQuiet) / (this.config.zSaturated - this.config.zQuiet)));
    const likelihood = logLikelihood(this.likelihood.update(rawScore));
    const change = this.cusum.update(this.standardisedForChange(zScore));
    const sequenceLikelihood = this.sequenceLikelihood(value);
    const novel = this.outsideRange(value);
    this.learn(value);

    const combined = Math.max(likelihood, sequenceLikelihood, change.changed || novel ? 1 : 0);
    const score = this.damped(combined);
    return { score, severity: severityOf(score), zScore, likelihood, changeEvidence: change.evidence, changePoint: change.changed, period: this.period, sequenceLikelihood, rangeNovel: novel };
  }

  /** Log anomaly likelihood of recent sequence novelty (0 while no range is known). */
  private sequenceLikelihood(value: number): number {
    if (this.sequence === null || this.range === null) return 0;
    const surprise = this.sequence.novelty.update(value, this.range.min, this.range.max);
    return logLikelihood(this.sequence.likelihood.update(surprise));
  }

  private static sequenceFrom(config: StreamingDetectorConfig, state: StreamingDetectorState['sequence']): StreamingAnomalyDetector['sequence'] {
    if (config.sequence === null) return null;
    const { averagingWindow, ...parameters } = config.sequence;
    return {
      novelty: state ? SequenceNovelty.fromJSON(state.novelty) : new SequenceNovelty(parameters),
      likelihood: state ? AnomalyLikelihood.fromJSON(state.likelihood) : new AnomalyLikelihood({ ...config.likelihood, averagingWindow }),
    };
  }

  /** Whether the value leaves the range seen so far by more than the tolerance; widens the range. */
  private outsideRange(value: number): boolean {
    if (!Number.isFinite(value)) return false;
    const range = this.range;
    if (range === null) {
      this.range = { min: value, max: value };
      return false;
    }
    const margin = this.config.rangeTolerance * (range.max - range.min);
    const novel = this.config.rangeTolerance > 0 && this.seen > this.config.rangeLearningPeriod && range.max > range.min && (value > range.max + margin || value < range.min - margin);
    range.min = Math.min(range.min, value);
    range.max = Math.max(range.max, value);
    return novel;
  }

  /** The clipped z, centred and scaled by its own running moments once they have settled. */
  private standardisedForChange(zScore: number): number {
    if (this.config.changeNormalisationRate <= 0 || !Number.isFinite(zScore)) return zScore;
    const clip = this.config.cusum.clip;
    const clipped = Math.max(-clip, Math.min(clip, zScore));
    const mean = this.changeInput.forecast();
    const sigma = Math.sqrt(this.changeInput.currentVariance);
    this.changeInput.update(clipped);
    if (mean === null || this.seen < this.config.likelihood.learningPeriod) return zScore;
    return (clipped - mean) / Math.max(1, sigma);
  }

  /**
   * Alarms within the refractory period are scaled down linearly, so an incident alarms once. A larger
   * incident close behind is damped too: letting escalations through cost 1–2 held-out points on every
   * NAB profile (README).
   */
  private damped(score: number): number {
    let result = score;
    if (this.samplesSinceAlarm !== null) {
      this.samplesSinceAlarm++;
      if (this.samplesSinceAlarm > this.config.refractorySamples) this.samplesSinceAlarm = null;
      else result = score * (this.samplesSinceAlarm / this.config.refractorySamples) * 0.5;
    }
    if (result >= this.config.alarmScore) this.samplesSinceAlarm = 0;
    return result;
  }

  /**
   * z of the sample against the ready baselines: the smallest |z| among those whose residual σ is
   * within `baselineScaleTolerance` of the most accurate one. A sample that a good baseline explains
   * is not anomalous; a poor baseline (σ far above the best) would explain anything, so it may not vote.
   */
  private bestZScore(value: number): number {
    if (!Number.isFinite(value)) return 0;
    const forecasts: [BaselineName, number | null][] = [
      ['ewma', this.ewma.forecast()],
      ['seasonalNaive', this.seasonalNaive?.forecast() ?? null],
      ['holtWinters', this.holtWinters?.forecast() ?? null],
    ];
    const floor = this.sigmaFloor(value);
    const candidates: { sigma: number; z: number }[] = [];
    for (const [name, forecast] of forecasts) {
      if (forecast === null) continue;
      const residual = value - forecast;
      const stats = this.residuals[name];
      if (stats.size >= this.config.minResiduals) {
        const sigma = stats.robustSigma(floor);
        candidates.push({ sigma, z: (residual - stats.median()) / sigma });
      }
      stats.push(residual);
    }
    if (candidates.length === 0) return 0;
    const bestSigma = Math.min(...candidates.map((candidate) => candidate.sigma));
    const voters = candidates.filter((candidate) => candidate.sigma <= bestSigma * this.config.baselineScaleTolerance);
    return voters.reduce((best, candidate) => (Math.abs(candidate.z) < Math.abs(best.z) ? candidate : best)).z;
  }

  /** Smallest σ a residual is judged on: a flat series still tolerates float noise. */
  private sigmaFloor(value: number): number {
    return 1e-6 * Math.max(1, Math.abs(value), Math.abs(this.ewma.forecast() ?? 0));
  }

  private learn(value: number): void {
    this.ewma.update(value);
    this.seasonalNaive?.update(value);
    this.holtWinters?.update(value);
    if (this.periodSearchDone) return;
    this.history.push(Number.isFinite(value) ? value : (this.ewma.forecast() ?? 0));
    if (!this.config.periodCheckpoints.includes(this.seen)) return;
    const period = detectPeriod(this.history, { minPeriod: this.config.minPeriod, minCorrelation: this.config.minAutocorrelation });
    const lastCheckpoint = this.seen >= Math.max(...this.config.periodCheckpoints);
    if (period !== null) this.adoptPeriod(period);
    if (period !== null || lastCheckpoint) {
      this.periodSearchDone = true;
      this.history = [];
    }
  }

  /**
   * Starts the seasonal baselines on the buffered history. Their residuals over that history seed their
   * median/MAD, so they judge the very next sample; and the CUSUM restarts, since the evidence it holds
   * was gathered against the level baseline alone, which took the season itself for shifts.
   */
  private adoptPeriod(period: number): void {
    this.period = period;
    const holtWinters = HoltWinters.fitTo(this.history.slice(0, period), period, this.config.holtWinters);
    for (let i = period; i < this.history.length; i++) {
      const value = this.history[i];
      this.residuals.holtWinters.push(value - holtWinters.forecast());
      this.residuals.seasonalNaive.push(value - this.history[i - period]);
      holtWinters.update(value);
    }
    this.holtWinters = holtWinters;
    this.seasonalNaive = new SeasonalNaive(period, this.history);
    this.cusum.reset();
  }

  toJSON(): StreamingDetectorState {
    return {
      config: this.config,
      seen: this.seen,
      periodSearchDone: this.periodSearchDone,
      period: this.period,
      history: [...this.history],
      ewma: this.ewma.toJSON(),
      seasonalNaive: this.seasonalNaive?.toJSON() ?? null,
      holtWinters: this.holtWinters?.toJSON() ?? null,
      residuals: { ewma: this.residuals.ewma.toJSON(), seasonalNaive: this.residuals.seasonalNaive.toJSON(), holtWinters: this.residuals.holtWinters.toJSON() },
      likelihood: this.likelihood.toJSON(),
      cusum: this.cusum.toJSON(),
      changeInput: this.changeInput.toJSON(),
      range: this.range === null ? null : { ...this.range },
      sequence: this.sequence === null ? null : { novelty: this.sequence.novelty.toJSON(), likelihood: this.sequence.likelihood.toJSON() },
      samplesSinceAlarm: this.samplesSinceAlarm,
    };
  }

  static fromJSON(state: StreamingDetectorState): StreamingAnomalyDetector {
    return new StreamingAnomalyDetector(state.config, state);
  }
}

/** Scores a whole series with a fresh detector: one anomaly score per value. */
export function scoreSeries(values: readonly number[], config: StreamingDetectorConfig = DEFAULT_DETECTOR_CONFIG): number[] {
  const detector = new StreamingAnomalyDetector(config);
  return values.map((value) => detector.update(value).score);
}
