import type { CostMatrix } from './cost-profile';
import { NAB_PROBATION_PERCENT, probationaryLength } from './probation';
import { scaledSigmoid } from './scaled-sigmoid';
import type { WindowSpan } from './windows';

/** Marks a row inside the probationary period: never scored. */
export const PROBATIONARY = 'probationary';

/**
 * One row as NAB's sweeper sees it: its anomaly score, the NAB score it would earn if detected
 * (`sweepScore`), and the window it lies in (`null` outside windows, {@link PROBATIONARY} if unscored).
 */
export interface AnomalyPoint {
  readonly anomalyScore: number;
  readonly sweepScore: number;
  readonly windowName: string | null;
}

/** NAB's outcome of detecting at every score ≥ `threshold`: raw score and row counts. */
export interface ThresholdScore {
  readonly threshold: number;
  readonly score: number;
  readonly tp: number;
  readonly tn: number;
  readonly fp: number;
  readonly fn: number;
  readonly total: number;
}

/** NAB's first threshold: above every anomaly score, so nothing is detected. */
export const NO_DETECTION_THRESHOLD = 1.1;

/**
 * Port of NAB v1.1's `nab/sweeper.py` `Sweeper.calcSweepScore`: what detecting each row would be
 * worth. Inside a window a detection earns `tpWeight · S(−(right − i + 1)/width) / S(−1)`; outside,
 * it costs `fpWeight · S(|i − previousRight| / (previousWidth − 1))`, or the full `fpWeight` before
 * any window. Rows of the probationary period are marked so the threshold sweep skips them.
 */
export function calcSweepScore(
  anomalyScores: readonly number[],
  windows: readonly WindowSpan[],
  dataSetName: string,
  costMatrix: CostMatrix,
  probationPercent = NAB_PROBATION_PERCENT,
): AnomalyPoint[] {
  const maxTruePositive = scaledSigmoid(-1.0);
  const probation = probationaryLength(anomalyScores.length, probationPercent);
  const points: AnomalyPoint[] = [];
  let nextWindow = 0;
  let current: { span: WindowSpan; name: string; width: number } | null = null;
  let previous: { rightIndex: number; width: number } | null = null;

  for (let i = 0; i < anomalyScores.length; i++) {
    const entering = windows[nextWindow];
    if (entering !== undefined && i === entering.startIndex) {
      current = { span: entering, name: `${dataSetName}|${nextWindow}`, width: entering.endIndex - entering.startIndex + 1 };
      nextWindow++;
    }

    let sweepScore: number;
    if (current !== null) {
      const positionInWindow = -(current.span.endIndex - i + 1) / current.width;
      sweepScore = (scaledSigmoid(positionInWindow) * costMatrix.tpWeight) / maxTruePositive;
    } else {
      // NAB divides by zero after a one-row window; the resulting +∞ position scores −1, as intended.
      const unweighted = previous === null ? -1.0 : scaledSigmoid(Math.abs(previous.rightIndex - i) / (previous.width - 1));
      sweepScore = unweighted * costMatrix.fpWeight;
    }

    const windowName = i >= probation ? (current?.name ?? null) : PROBATIONARY;
    points.push({ anomalyScore: anomalyScores[i], sweepScore, windowName });

    if (current !== null && i === current.span.endIndex) {
      previous = { rightIndex: i, width: current.width };
      current = null;
    }
  }
  return points;
}

/**
 * Port of `Sweeper.calcScoreByThreshold`: walks the scored rows from the highest anomaly score down and
 * records, at each distinct score, the NAB score of detecting everything at or above it. A window
 * counts only its best (earliest) detection; an undetected window costs `fnWeight`. The first entry
 * is {@link NO_DETECTION_THRESHOLD} (nothing detected); thresholds then descend.
 */
export function calcScoreByThreshold(anomalyPoints: readonly AnomalyPoint[], costMatrix: CostMatrix): ThresholdScore[] {
  const scorable = anomalyPoints.filter((point) => point.windowName !== PROBATIONARY).sort((a, b) => b.anomalyScore - a.anomalyScore);

  const windowParts = new Map<string, number>();
  for (const point of scorable) if (point.windowName !== null) windowParts.set(point.windowName, -costMatrix.fnWeight);
  let falsePositivePart = 0;
  let windowTotal = -costMatrix.fnWeight * windowParts.size;

  let tn = scorable.filter((point) => point.windowName === null).length;
  let fn = scorable.length - tn;
  let tp = 0;
  let fp = 0;
  let threshold = NO_DETECTION_THRESHOLD;
  const scores: ThresholdScore[] = [];
  const record = (): void => {
    scores.push({ threshold, score: falsePositivePart + windowTotal, tp, tn, fp, fn, total: tp + tn + fp + fn });
  };

  for (const point of scorable) {
    if (point.anomalyScore !== threshold) {
      record();
      threshold = point.anomalyScore;
    }
    if (point.windowName === null) {
      fp++;
      tn--;
      falsePositivePart += point.sweepScore;
    } else {
      tp++;
      fn--;
      const best = windowParts.get(point.windowName) ?? -costMatrix.fnWeight;
      if (point.sweepScore > best) {
        windowParts.set(point.windowName, point.sweepScore);
        windowTotal += point.sweepScore - best;
      }
    }
  }
  record();
  return scores;
}

/**
 * Port of `Sweeper.scoreDataSet`'s choice of row: the entry of exactly `threshold`, else the last one
 * above it (which detects exactly the scores ≥ threshold). Where NAB finds none because the threshold
 * is below every score, the last entry (everything detected) is the same outcome, so it is returned.
 */
export function selectThresholdScore(scoresByThreshold: readonly ThresholdScore[], threshold: number): ThresholdScore {
  let previous: ThresholdScore | undefined;
  for (const entry of scoresByThreshold) {
    if (entry.threshold === threshold) return entry;
    if (entry.threshold < threshold) return previous ?? entry;
    previous = entry;
  }
  const last = scoresByThreshold[scoresByThreshold.length - 1];
  if (last === undefined) throw new Error('no threshold scores to select from');
  return last;
}
