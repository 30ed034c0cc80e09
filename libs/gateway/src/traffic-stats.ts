import { KpiSamplesV1, KpiSeriesLabels } from '@strata/contracts';

/** Buckets per doubling of latency: neighbouring bounds ~19 % apart, a bucket's middle within ~9 % of its requests. */
const BUCKETS_PER_DOUBLING = 4;
const FIRST_BOUND_MS = 0.25;
/** 0.25 ms · 2^(68/4) ≈ 33 s: beyond it, the unbounded last bucket. */
const FINITE_BOUNDS = 69;

/**
 * Upper bounds of the latency histogram in milliseconds, log-spaced from 0.25 ms to ~33 s; the last
 * bucket is unbounded. Fine enough that the canary judge compares requests to within ~10 % (a
 * 1-2-5 ladder put a 2.1 ms and a 4.9 ms request in one bucket) at 70 counters per node and second.
 */
export const LATENCY_BOUNDS_MS: readonly number[] = [
  ...Array.from({ length: FINITE_BOUNDS }, (_, index) => Number((FIRST_BOUND_MS * 2 ** (index / BUCKETS_PER_DOUBLING)).toPrecision(6))),
  Number.POSITIVE_INFINITY,
];

/** The bucket of a latency in O(1): the log gives it to within one, the bounds settle the edge. */
export function latencyBucket(latencyMs: number): number {
  if (!(latencyMs > FIRST_BOUND_MS)) {
    return 0;
  }
  let bucket = Math.min(FINITE_BOUNDS, Math.ceil(Math.log2(latencyMs / FIRST_BOUND_MS) * BUCKETS_PER_DOUBLING));
  while (bucket > 0 && latencyMs <= LATENCY_BOUNDS_MS[bucket - 1]) bucket--;
  while (latencyMs > LATENCY_BOUNDS_MS[bucket]) bucket++;
  return bucket;
}

export type OutcomeClass = 'ok' | 'client-error' | 'server-error' | 'connect-error';

/**
 * Counters of one series group (a node of a stack config, or its mirror traffic) since the last
 * flush. Plain numbers and a typed array: recording a request allocates nothing.
 */
export class TrafficStats {
  requests = 0;
  clientErrors = 0;
  serverErrors = 0;
  connectErrors = 0;
  latencySumMs = 0;
  readonly latencyCounts = new Uint32Array(LATENCY_BOUNDS_MS.length);
  /** Mirror traffic only: copies whose JSON body was compared with production's, and those that differed. */
  bodyComparisons = 0;
  bodyMismatches = 0;

  record(outcome: OutcomeClass, latencyMs: number): void {
    this.requests++;
    if (outcome === 'client-error') {
      this.clientErrors++;
    } else if (outcome === 'server-error') {
      this.serverErrors++;
    } else if (outcome === 'connect-error') {
      this.connectErrors++;
    }
    this.latencySumMs += latencyMs;
    this.latencyCounts[latencyBucket(latencyMs)]++;
  }

  recordBodyComparison(same: boolean): void {
    this.bodyComparisons++;
    if (!same) {
      this.bodyMismatches++;
    }
  }

  reset(): void {
    this.bodyComparisons = 0;
    this.bodyMismatches = 0;
    this.requests = 0;
    this.clientErrors = 0;
    this.serverErrors = 0;
    this.connectErrors = 0;
    this.latencySumMs = 0;
    this.latencyCounts.fill(0);
  }

  /** One kpi.samples payload per metric series; nothing when no request was seen. */
  toSamples(labels: Omit<KpiSeriesLabels, 'metric'>, metricPrefix: string, timestamp: number): KpiSamplesV1[] {
    const counter = (metric: string, value: number): KpiSamplesV1 => ({ series: { ...labels, metric: `${metricPrefix}${metric}` }, samples: [{ timestamp, value }] });
    // A comparison ends after its request was counted, possibly after the flush that counted it.
    const comparisons = this.bodyComparisons === 0 ? [] : [counter('body_comparisons_total', this.bodyComparisons), counter('body_mismatches_total', this.bodyMismatches)];
    if (this.requests === 0) {
      return comparisons;
    }
    return [
      ...comparisons,
      counter('requests_total', this.requests),
      counter('errors_4xx_total', this.clientErrors),
      counter('errors_5xx_total', this.serverErrors),
      counter('errors_connect_total', this.connectErrors),
      {
        series: { ...labels, metric: `${metricPrefix}request_duration_ms` },
        samples: [],
        histograms: [
          {
            timestamp,
            bounds: LATENCY_BOUNDS_MS.map((bound) => (Number.isFinite(bound) ? bound : null)),
            counts: Array.from(this.latencyCounts),
            sum: this.latencySumMs,
            count: this.requests,
          },
        ],
      },
    ];
  }
}

/** Whose status is it: 5xx and connect failures count against the backend, 4xx against the caller. */
export function outcomeOfStatus(statusCode: number): OutcomeClass {
  if (statusCode >= 500) {
    return 'server-error';
  }
  return statusCode >= 400 ? 'client-error' : 'ok';
}

/** A seriesId for the message key, so one series' samples stay in order on one partition. */
export function seriesKey(series: KpiSeriesLabels): string {
  return [series.stack, series.environment, series.component, series.stackConfig ?? '', series.node ?? '', series.metric].join('/');
}
