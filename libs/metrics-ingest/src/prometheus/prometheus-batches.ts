import { isStorableKpiValue } from '@strata/contracts';
import { DomainViolation } from '@strata/domain';
import { SeriesBatch, seriesKey } from '../domain/series-batch';
import { LabelDefaults, mapPrometheusLabels } from './label-mapping';

export interface PrometheusSeriesSamples {
  /** Prometheus labels including `__name__`. */
  labels: Readonly<Record<string, string>>;
  samples: ReadonlyArray<{ timestamp: number; value: number }>;
  /** Where these samples sit in the request, e.g. `line 12` or `timeseries[3]`. */
  path: string;
}

export type PrometheusConversion =
  | { ok: true; batches: SeriesBatch[]; skippedNonFinite: number }
  | { ok: false; violation: DomainViolation };

/**
 * Turns Prometheus series into Strata batches, grouping samples of one series. Non-finite values
 * (NaN — which includes Prometheus' staleness markers — and ±Inf), and values beyond ±1e300 that no
 * rollup can add up, are not stored and are counted
 * in the answer; anything else unmappable refuses the whole request, naming the first offender.
 */
export function toSeriesBatches(series: readonly PrometheusSeriesSamples[], defaults: LabelDefaults): PrometheusConversion {
  const batches = new Map<string, SeriesBatch>();
  let skippedNonFinite = 0;
  for (const entry of series) {
    const mapped = mapPrometheusLabels(entry.labels, defaults);
    if (!mapped.ok) {
      return { ok: false, violation: { field: `${entry.path}.labels`, message: mapped.reason } };
    }
    const key = seriesKey(mapped.labels);
    let batch = batches.get(key);
    if (!batch) {
      batch = { labels: mapped.labels, samples: [], histograms: [], path: entry.path };
      batches.set(key, batch);
    }
    for (const [index, sample] of entry.samples.entries()) {
      if (!Number.isSafeInteger(sample.timestamp) || sample.timestamp < 0) {
        return { ok: false, violation: { field: `${entry.path}.samples[${index}].timestamp`, message: 'must be epoch milliseconds ≥ 0' } };
      }
      // Prometheus' NaN (staleness markers), ±Inf, and values no rollup can add up are skipped and counted.
      if (!isStorableKpiValue(sample.value)) {
        skippedNonFinite += 1;
        continue;
      }
      batch.samples.push({ timestamp: sample.timestamp, value: sample.value });
    }
  }
  // A series whose every sample was skipped is not created.
  return { ok: true, batches: [...batches.values()].filter((batch) => batch.samples.length > 0), skippedNonFinite };
}
