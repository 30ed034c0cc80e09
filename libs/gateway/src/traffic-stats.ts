import { KpiSamplesV1, KpiSeriesLabels } from '@strata/contracts';

/** Upper bounds of the latency histogram in milliseconds; the last bucket is unbounded. */
export const LATENCY_BOUNDS_MS: readonly number[] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, Number.POSITIVE_INFINITY];

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
    let bucket = 0;
    while (latencyMs > LATENCY_BOUNDS_MS[bucket]) {
      bucket++;
    }
    this.latencyCounts[bucket]++;
  }

  reset(): void {
    this.requests = 0;
    this.clientErrors = 0;
    this.serverErrors = 0;
    this.connectErrors = 0;
    this.latencySumMs = 0;
    this.latencyCounts.fill(0);
  }

  /** One kpi.samples payload per metric series; nothing when no request was seen. */
  toSamples(labels: Omit<KpiSeriesLabels, 'metric'>, metricPrefix: string, timestamp: number): KpiSamplesV1[] {
    if (this.requests === 0) {
      return [];
    }
    const counter = (metric: string, value: number): KpiSamplesV1 => ({ series: { ...labels, metric: `${metricPrefix}${metric}` }, samples: [{ timestamp, value }] });
    return [
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
