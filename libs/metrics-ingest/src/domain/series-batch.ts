import { KpiHistogram, KpiSeriesLabels } from '@strata/contracts';

/**
 * A series' identity: the Strata labels every layer reports under, plus the labels a Prometheus
 * series carries beyond them (`job`, `le`, `method`, …) so two Prometheus series never collapse
 * into one.
 */
export interface SeriesLabels extends KpiSeriesLabels {
  extra?: Record<string, string>;
}

export interface SamplePoint {
  /** Epoch milliseconds. */
  timestamp: number;
  value: number;
}

/** One series' samples as every intake path hands them to the ingest service. */
export interface SeriesBatch {
  labels: SeriesLabels;
  samples: SamplePoint[];
  histograms: KpiHistogram[];
  /** Where the batch sits in the request, e.g. `batches[3]` or `timeseries[12]`: errors name it. */
  path: string;
}

/**
 * The canonical identity key of a label set: field order fixed and extra labels sorted, so the
 * same series gets the same key whatever order its labels arrived in.
 */
export function seriesKey(labels: SeriesLabels): string {
  const extra = labels.extra ? Object.entries(labels.extra).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : [];
  return JSON.stringify([labels.stack, labels.environment, labels.component, labels.stackConfig ?? null, labels.node ?? null, labels.metric, extra]);
}

/** The labels as stored in `series.labels` (jsonb): absent labels are omitted, not null. */
export function storedLabels(labels: SeriesLabels): SeriesLabels {
  return {
    stack: labels.stack,
    environment: labels.environment,
    component: labels.component,
    ...(labels.stackConfig !== undefined ? { stackConfig: labels.stackConfig } : {}),
    ...(labels.node !== undefined ? { node: labels.node } : {}),
    metric: labels.metric,
    ...(labels.extra && Object.keys(labels.extra).length > 0 ? { extra: labels.extra } : {}),
  };
}
