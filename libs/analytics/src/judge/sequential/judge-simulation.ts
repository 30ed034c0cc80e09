import { judgeCanary } from '../canary-judge';
import type { JudgeConfigInput } from '../judge-config';
import { SeededRandom } from '../seeded-random';
import { type SequentialJudgeSettings, SequentialCanaryJudge } from './sequential-judge';
import { IID_TRAFFIC, type TrafficScenario, simulateTraffic } from './traffic-simulation';

/** The A/A conditions every judge must survive: same version on both sides, real traffic effects. */
export const AA_SCENARIOS: readonly TrafficScenario[] = [
  IID_TRAFFIC,
  { ...IID_TRAFFIC, name: 'AR(1) ρ 0.5', autocorrelation: 0.5 },
  { ...IID_TRAFFIC, name: 'AR(1) ρ 0.8', autocorrelation: 0.8 },
  { ...IID_TRAFFIC, name: 'AR(1) ρ 0.95', autocorrelation: 0.95 },
  { ...IID_TRAFFIC, name: 'slow node (1 of 5, 1.6×)', slowNode: { nodes: 5, factor: 1.6 } },
  { ...IID_TRAFFIC, name: 'diurnal drift (±30 %)', drift: { amplitude: 0.3, periodWindows: 50 } },
  { ...IID_TRAFFIC, name: '10/90 split', canaryShare: 0.1 },
  { ...IID_TRAFFIC, name: 'cold canary (2× at first, e-fold 50 requests)', warmUp: { factor: 1, requests: 50 } },
  {
    ...IID_TRAFFIC,
    name: 'all at once (ρ 0.8, slow node, drift, 10/90, cold)',
    autocorrelation: 0.8,
    slowNode: { nodes: 5, factor: 1.6 },
    drift: { amplitude: 0.3, periodWindows: 50 },
    canaryShare: 0.1,
    warmUp: { factor: 1, requests: 50 },
  },
];

/** Regressions to catch: twice the baseline's 1 % error rate, and 20 % slower. */
export const REGRESSION_SCENARIOS: readonly TrafficScenario[] = [
  { ...IID_TRAFFIC, name: 'errors 2× (1 % → 2 %)', canaryErrorRate: 0.02 },
  { ...IID_TRAFFIC, name: 'latency +20 %', canaryLatencyFactor: 1.2 },
];

/**
 * The fixed-sample judge as rollouts use it (libs/routing-control): error rate and latency, both
 * critical, 10 % tolerance, 98 % confidence with Holm's adjustment.
 */
export const FIXED_JUDGE_CONFIG: JudgeConfigInput = {
  groups: [
    { name: 'errors', weight: 50, metrics: [{ name: 'error-rate', kind: 'proportion', critical: true, minimumSamples: 200 }] },
    { name: 'latency', weight: 50, metrics: [{ name: 'latency-ms', kind: 'continuous', critical: true, minimumSamples: 50 }] },
  ],
};

export interface SimulationOptions {
  readonly runs: number;
  readonly seed: number;
  /** Canary requests at which the fail rate is read; the last one ends each run. */
  readonly checkpoints: readonly number[];
  /** Canary requests at which the fixed-sample judge is run once (null: not run). */
  readonly fixedAt: number | null;
  readonly settings?: Partial<SequentialJudgeSettings>;
}

export interface ScenarioResult {
  readonly scenario: string;
  readonly runs: number;
  /** Share of runs the sequential judge had failed by each checkpoint (canary requests). */
  readonly failBy: Readonly<Record<number, number>>;
  /** Share of runs it passed before the last checkpoint. */
  readonly passed: number;
  /** Median canary requests until its first verdict (pass or fail); the last checkpoint for none. */
  readonly medianRequestsToVerdict: number;
  /** Median canary requests until it failed, over the runs that failed (null: none did). */
  readonly medianRequestsToFail: number | null;
  /** Share of runs failed on each metric (a run can fail on both at once). */
  readonly failedOn: { readonly latency: number; readonly errors: number };
  /** Fail share of the fixed-sample judge run once at `fixedAt` canary requests on everything so far. */
  readonly fixedFail: number | null;
}

/** Runs one scenario `runs` times with a seeded generator: the sequential judge watching every window. */
export function simulateScenario(scenario: TrafficScenario, options: SimulationOptions): ScenarioResult {
  const random = new SeededRandom(options.seed);
  const horizon = Math.max(...options.checkpoints);
  const failedAt: number[] = [];
  const verdictAt: number[] = [];
  let passes = 0;
  const failedOn = { latency: 0, errors: 0 };
  let fixedFails = 0;
  for (let run = 0; run < options.runs; run += 1) {
    const judge = new SequentialCanaryJudge(options.settings);
    const fixed = options.fixedAt === null ? null : { baseline: [] as number[], canary: [] as number[], errors: { baseline: 0, canary: 0, bRequests: 0, cRequests: 0 }, done: false };
    let canaryRequests = 0;
    let decided = false;
    for (const window of simulateTraffic(random, scenario, horizon)) {
      canaryRequests += window.canary.requests;
      if (fixed !== null && !fixed.done) {
        for (const value of window.baseline.latencies) fixed.baseline.push(value);
        for (const value of window.canary.latencies) fixed.canary.push(value);
        fixed.errors.baseline += window.baseline.errors;
        fixed.errors.canary += window.canary.errors;
        fixed.errors.bRequests += window.baseline.requests;
        fixed.errors.cRequests += window.canary.requests;
        if (canaryRequests >= (options.fixedAt ?? Number.POSITIVE_INFINITY)) {
          fixed.done = true;
          const verdict = judgeCanary(FIXED_JUDGE_CONFIG, {
            baseline: { 'latency-ms': fixed.baseline, 'error-rate': { errors: fixed.errors.baseline, total: fixed.errors.bRequests } },
            canary: { 'latency-ms': fixed.canary, 'error-rate': { errors: fixed.errors.canary, total: fixed.errors.cRequests } },
          });
          if (verdict.verdict === 'fail') fixedFails += 1;
        }
      }
      if (decided) {
        if (fixed === null || fixed.done) break;
        continue;
      }
      const judgement = judge.observe(window);
      if (judgement.verdict !== 'continue') {
        decided = true;
        verdictAt.push(canaryRequests);
        if (judgement.verdict === 'fail') failedAt.push(canaryRequests);
        else passes += 1;
        for (const metric of judgement.regressions) failedOn[metric] += 1;
      }
    }
    if (!decided) verdictAt.push(horizon);
  }
  const failBy = Object.fromEntries(options.checkpoints.map((checkpoint) => [checkpoint, failedAt.filter((at) => at <= checkpoint).length / options.runs]));
  return {
    scenario: scenario.name,
    runs: options.runs,
    failBy,
    passed: passes / options.runs,
    medianRequestsToVerdict: median(verdictAt),
    medianRequestsToFail: failedAt.length === 0 ? null : median(failedAt),
    failedOn: { latency: failedOn.latency / options.runs, errors: failedOn.errors / options.runs },
    fixedFail: options.fixedAt === null ? null : fixedFails / options.runs,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
