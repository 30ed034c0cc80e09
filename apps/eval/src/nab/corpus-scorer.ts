import type { CostMatrix, CostProfiles } from './cost-profile';
import { NAB_PROBATION_PERCENT } from './probation';
import { type AnomalyPoint, type ThresholdScore, calcScoreByThreshold, calcSweepScore, selectThresholdScore } from './sweeper';
import { type WindowLimits, resolveWindowSpans } from './windows';

/** One file of a NAB corpus with a detector's output: a score in [0, 1] per row. */
export interface NabDataSet {
  /** Key as in NAB's label files, e.g. `realTweets/Twitter_volume_FB.csv`. */
  readonly name: string;
  /** Ascending row times, ms since the epoch. */
  readonly timestamps: readonly number[];
  readonly anomalyScores: readonly number[];
  readonly windows: readonly WindowLimits[];
}

/** NAB's per-file row of `<detector>_<profile>_scores.csv`. */
export interface NabFileScore {
  readonly file: string;
  readonly threshold: number;
  readonly score: number;
  readonly tp: number;
  readonly tn: number;
  readonly fp: number;
  readonly fn: number;
  /** Rows of the file (NAB's `Total_Count`); `tp + tn + fp + fn` leaves out the probationary rows. */
  readonly rowCount: number;
}

/** A detector's result for one profile over a corpus. */
export interface NabProfileScore {
  readonly profile: string;
  readonly threshold: number;
  /** Sum of the per-file scores at the threshold. */
  readonly rawScore: number;
  /** Raw score of NAB's null detector, which never alarms usefully. */
  readonly nullScore: number;
  /** Raw score of a detector catching every window at its start: `windows · tpWeight`. */
  readonly perfectScore: number;
  /** `100 · (raw − null) / (perfect − null)`, NAB's reported score. */
  readonly normalizedScore: number;
  readonly files: readonly NabFileScore[];
}

export interface NabScoringOptions {
  readonly probationPercent?: number;
  /** Fixed threshold per profile (e.g. NAB's stored ones); otherwise optimised over this corpus as NAB does. */
  readonly thresholds?: Readonly<Record<string, number>>;
}

function sweepPoints(dataSet: NabDataSet, costMatrix: CostMatrix, probationPercent: number): AnomalyPoint[] {
  const spans = resolveWindowSpans(dataSet.timestamps, dataSet.windows);
  return calcSweepScore(dataSet.anomalyScores, spans, dataSet.name, costMatrix, probationPercent);
}

/** Port of NAB's `scorer.scoreDataSet`: one file's score and counts when alarming at scores ≥ threshold. */
export function scoreNabDataSet(dataSet: NabDataSet, costMatrix: CostMatrix, threshold: number, probationPercent = NAB_PROBATION_PERCENT): NabFileScore {
  const row = selectThresholdScore(calcScoreByThreshold(sweepPoints(dataSet, costMatrix, probationPercent), costMatrix), threshold);
  return { file: dataSet.name, threshold, score: row.score, tp: row.tp, tn: row.tn, fp: row.fp, fn: row.fn, rowCount: dataSet.timestamps.length };
}

/**
 * Port of NAB's `optimizer.optimizeThreshold`: sweeps every distinct anomaly score of the whole corpus
 * and keeps the threshold with the highest total score (on ties the highest threshold, as NAB's stable
 * sort of the descending sweep does).
 */
export function optimizeNabThreshold(dataSets: readonly NabDataSet[], costMatrix: CostMatrix, probationPercent = NAB_PROBATION_PERCENT): ThresholdScore {
  const allPoints = dataSets.flatMap((dataSet) => sweepPoints(dataSet, costMatrix, probationPercent));
  // The sweep always starts with the nothing-detected entry, so there is a best one.
  const [first, ...rest] = calcScoreByThreshold(allPoints, costMatrix);
  let best = first as ThresholdScore;
  for (const entry of rest) if (entry.score > best.score) best = entry;
  return best;
}

/** NAB's null detector: a constant anomaly score of 0.5 on every row. */
export function asNullDetector(dataSet: NabDataSet): NabDataSet {
  return { ...dataSet, anomalyScores: dataSet.anomalyScores.map(() => 0.5) };
}

/** Normalised NAB score: 0 for the null detector, 100 for the perfect one. */
export function normalizeNabScore(rawScore: number, nullScore: number, perfectScore: number): number {
  return (100 * (rawScore - nullScore)) / (perfectScore - nullScore);
}

/**
 * NAB's optimise-then-score-then-normalise pipeline (runner.py `optimize`, `score`, `normalize`) for
 * every profile: the threshold is one per profile over the whole corpus.
 */
export function scoreNabCorpus(dataSets: readonly NabDataSet[], profiles: CostProfiles, options: NabScoringOptions = {}): Record<string, NabProfileScore> {
  const probationPercent = options.probationPercent ?? NAB_PROBATION_PERCENT;
  const windowCount = dataSets.reduce((count, dataSet) => count + dataSet.windows.length, 0);
  const result: Record<string, NabProfileScore> = {};
  for (const [profile, costMatrix] of Object.entries(profiles)) {
    const threshold = options.thresholds?.[profile] ?? optimizeNabThreshold(dataSets, costMatrix, probationPercent).threshold;
    const files = dataSets.map((dataSet) => scoreNabDataSet(dataSet, costMatrix, threshold, probationPercent));
    const rawScore = files.reduce((sum, file) => sum + file.score, 0);
    const nullScore = optimizeNabThreshold(dataSets.map(asNullDetector), costMatrix, probationPercent).score;
    const perfectScore = windowCount * costMatrix.tpWeight;
    result[profile] = { profile, threshold, rawScore, nullScore, perfectScore, normalizedScore: normalizeNabScore(rawScore, nullScore, perfectScore), files };
  }
  return result;
}
