import { CanaryComparison } from '../canary-judge';
import { JudgeConfigInput } from '../judge-config';
import { SeededRandom } from '../seeded-random';

/**
 * A realistic judge config for the simulations: request latency (critical: it is the SLO) and
 * database query time share the latency group's half of the weight; the error rate (critical)
 * has the other half. All at the default 98 % confidence with Holm control and a 10 % tolerance.
 * A regression of query time alone scores 75: marginal, worth a look, not an abort.
 */
export const serviceJudgeConfig: JudgeConfigInput = {
  groups: [
    {
      name: 'latency',
      weight: 50,
      metrics: [
        { name: 'request-latency-ms', kind: 'continuous', critical: true },
        { name: 'db-query-ms', kind: 'continuous' },
      ],
    },
    { name: 'errors', weight: 50, metrics: [{ name: 'error-rate', kind: 'proportion', critical: true }] },
  ],
};

export interface ServiceWindow {
  /** Latency samples per side, for each latency metric. */
  readonly samples: number;
  /** Requests per side for the error rate. */
  readonly requests: number;
  readonly baselineErrorRate: number;
  readonly canaryErrorRate: number;
  /** Canary request latency over the baseline's (1.2 = 20 % slower). */
  readonly canaryLatencyFactor: number;
  /** Canary database query time over the baseline's. */
  readonly canaryQueryFactor: number;
}

export const aaWindow: ServiceWindow = { samples: 500, requests: 5000, baselineErrorRate: 0.02, canaryErrorRate: 0.02, canaryLatencyFactor: 1, canaryQueryFactor: 1 };

/**
 * One analysis window of the simulated service: request latency lognormal around 120 ms (σ 0.5),
 * database query time lognormal around 15 ms (σ 0.8, heavier-tailed) and rounded to 0.1 ms so the
 * rank test meets ties, errors Bernoulli per request.
 */
export function simulateWindow(random: SeededRandom, window: ServiceWindow): CanaryComparison {
  const queryTimes = (factor: number): number[] => random.lognormal(window.samples, 15 * factor, 0.8).map((value) => Math.round(value * 10) / 10);
  return {
    baseline: {
      'request-latency-ms': random.lognormal(window.samples, 120, 0.5),
      'db-query-ms': queryTimes(1),
      'error-rate': random.errors(window.requests, window.baselineErrorRate),
    },
    canary: {
      'request-latency-ms': random.lognormal(window.samples, 120 * window.canaryLatencyFactor, 0.5),
      'db-query-ms': queryTimes(window.canaryQueryFactor),
      'error-rate': random.errors(window.requests, window.canaryErrorRate),
    },
  };
}
