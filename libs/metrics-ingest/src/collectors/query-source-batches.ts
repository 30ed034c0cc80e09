import { SeriesBatch } from '../domain/series-batch';
import { LabelDefaults, mapPrometheusLabels } from '../prometheus/label-mapping';
import { PrometheusSeriesSamples, toSeriesBatches } from '../prometheus/prometheus-batches';

export interface QuerySourceBatches {
  batches: SeriesBatch[];
  skippedNonFinite: number;
  /** Result series that cannot become a Strata series (a missing label with no default). */
  unmappedSeries: number;
  /** Why the first of them could not, e.g. `result[2]: no 'stack' label and no default for it`. */
  unmappedReason: string | null;
}

/**
 * Maps a query's result series onto Strata series with the intake label mapping. Most PromQL
 * functions and operators drop `__name__`, so `metric` names such series. Unlike a pushed request,
 * one unmappable series does not refuse the others: the source is a schedule, not a caller who can
 * correct and resend, so the rest is stored and the reason is shown on the source.
 */
export function querySourceBatches(series: readonly PrometheusSeriesSamples[], metric: string | null, defaults: LabelDefaults): QuerySourceBatches {
  const mappable: PrometheusSeriesSamples[] = [];
  let unmappedSeries = 0;
  let unmappedReason: string | null = null;
  for (const entry of series) {
    const labels = entry.labels['__name__'] === undefined && metric !== null ? { ...entry.labels, __name__: metric } : entry.labels;
    const mapped = mapPrometheusLabels(labels, defaults);
    if (mapped.ok) {
      mappable.push({ ...entry, labels });
    } else {
      unmappedSeries += 1;
      unmappedReason ??= `${entry.path}: ${mapped.reason}`;
    }
  }
  const converted = toSeriesBatches(mappable, defaults);
  if (!converted.ok) {
    // Labels were checked above; only a timestamp Prometheus cannot produce gets here.
    throw new Error(`${converted.violation.field}: ${converted.violation.message}`);
  }
  return { batches: converted.batches, skippedNonFinite: converted.skippedNonFinite, unmappedSeries, unmappedReason };
}
