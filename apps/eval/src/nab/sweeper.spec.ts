import type { CostMatrix } from './cost-profile';
import { scaledSigmoid } from './scaled-sigmoid';
import { NO_DETECTION_THRESHOLD, PROBATIONARY, calcScoreByThreshold, calcSweepScore, selectThresholdScore } from './sweeper';
import type { WindowSpan } from './windows';

const costs: CostMatrix = { tpWeight: 1, fnWeight: 1, fpWeight: 0.5, tnWeight: 1 };

/** Scores `length` rows with detections at `detected` (score 1, else 0) at threshold 0.5, without probation. */
function scoreDetections(length: number, detected: number[], windows: WindowSpan[], probationPercent = 0) {
  const anomalyScores = Array.from({ length }, (_, i) => (detected.includes(i) ? 1 : 0));
  return selectThresholdScore(calcScoreByThreshold(calcSweepScore(anomalyScores, windows, 'file', costs, probationPercent), costs), 0.5);
}

describe(calcSweepScore.name, () => {
  const sut = calcSweepScore;

  it('weights a detection by its position in the window, the first row earning the full tpWeight', () => {
    const points = sut([0, 0, 0, 0, 0, 0], [{ startIndex: 1, endIndex: 4 }], 'file', costs, 0);
    expect(points[1]!.sweepScore).toBeCloseTo(1, 12);
    expect(points[4]!.sweepScore).toBeCloseTo(scaledSigmoid(-1 / 4) / scaledSigmoid(-1), 12);
    expect(points.map((point) => point.windowName)).toEqual([null, 'file|0', 'file|0', 'file|0', 'file|0', null]);
  });

  it('costs the full fpWeight before any window and less just after one', () => {
    const points = sut([0, 0, 0, 0, 0, 0, 0], [{ startIndex: 1, endIndex: 3 }], 'file', costs, 0);
    expect(points[0]!.sweepScore).toBe(-costs.fpWeight);
    expect(points[4]!.sweepScore).toBeCloseTo(scaledSigmoid(1 / 2) * costs.fpWeight, 12);
    expect(points[5]!.sweepScore).toBeCloseTo(scaledSigmoid(2 / 2) * costs.fpWeight, 12);
  });

  it('marks the probationary rows', () => {
    const points = sut(new Array<number>(100).fill(0), [], 'file', costs, 0.15);
    expect(points.filter((point) => point.windowName === PROBATIONARY)).toHaveLength(15);
    expect(points[15]!.windowName).toBeNull();
  });
});

describe(calcScoreByThreshold.name, () => {
  const sut = calcScoreByThreshold;

  it('starts with nothing detected and descends through the distinct scores', () => {
    const points = calcSweepScore([0.2, 0.9, 0.2, 0.5], [{ startIndex: 1, endIndex: 1 }], 'file', costs, 0);
    expect(sut(points, costs).map((row) => [row.threshold, row.tp, row.fp, row.fn, row.tn])).toEqual([
      [NO_DETECTION_THRESHOLD, 0, 0, 1, 3],
      [0.9, 1, 0, 0, 3],
      [0.5, 1, 1, 0, 2],
      [0.2, 1, 3, 0, 0],
    ]);
  });
});

describe(selectThresholdScore.name, () => {
  it('scores no windows and no detections as 0', () => {
    const row = scoreDetections(10, [], []);
    expect(row).toMatchObject({ score: 0, tp: 0, fp: 0, fn: 0, tn: 10 });
  });

  it('charges fnWeight for a missed window', () => {
    const row = scoreDetections(100, [], [{ startIndex: 40, endIndex: 49 }]);
    expect(row).toMatchObject({ score: -costs.fnWeight, tp: 0, fn: 10, tn: 90 });
  });

  it('counts only the earliest detection in a window', () => {
    const early = scoreDetections(100, [40], [{ startIndex: 40, endIndex: 49 }]);
    const earlyAndLate = scoreDetections(100, [40, 45, 49], [{ startIndex: 40, endIndex: 49 }]);
    expect(early.score).toBeCloseTo(costs.tpWeight, 12);
    expect(earlyAndLate.score).toBeCloseTo(early.score, 12);
    expect(earlyAndLate.tp).toBe(3);
  });

  it('rewards an earlier detection more than a later one', () => {
    const windows = [{ startIndex: 40, endIndex: 49 }];
    expect(scoreDetections(100, [42], windows).score).toBeGreaterThan(scoreDetections(100, [47], windows).score);
  });

  it('adds false positives to the window score', () => {
    const row = scoreDetections(100, [10, 40], [{ startIndex: 40, endIndex: 49 }]);
    expect(row.score).toBeCloseTo(costs.tpWeight - costs.fpWeight, 12);
    expect(row).toMatchObject({ tp: 1, fp: 1 });
  });

  it('ignores detections in the probationary period', () => {
    const row = scoreDetections(100, [5], [], 0.15);
    expect(row).toMatchObject({ score: 0, fp: 0, tn: 85 });
  });

  it('takes the last row above a threshold that is not itself a score', () => {
    const rows = calcScoreByThreshold(calcSweepScore([0.3, 0.8, 0.6], [], 'file', costs, 0), costs);
    expect(selectThresholdScore(rows, 0.7)).toBe(rows[1]);
    expect(selectThresholdScore(rows, 0.1)).toBe(rows[rows.length - 1]);
  });
});
