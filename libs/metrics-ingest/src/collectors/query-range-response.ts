import { PrometheusSeriesSamples } from '../prometheus/prometheus-batches';

export type QueryRangeAnswer = { ok: true; series: PrometheusSeriesSamples[]; warnings: string[] } | { ok: false; error: string };

interface MatrixEntry {
  metric?: unknown;
  values?: unknown;
}

/** Prometheus writes non-finite values as strings JavaScript's Number() does not know. */
function sampleValue(text: unknown): number {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (typeof text !== 'string') return Number.NaN;
  return Number(text);
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((entry) => typeof entry === 'string');
}

/**
 * Reads the answer of `GET /api/v1/query_range` (HTTP status and parsed JSON body). Prometheus
 * answers errors as `{status:"error", errorType, error}` with a 4xx/5xx status; anything not a
 * successful matrix is an error naming what Prometheus said.
 */
export function readQueryRangeAnswer(httpStatus: number, body: unknown): QueryRangeAnswer {
  const envelope = (typeof body === 'object' && body !== null ? body : {}) as { status?: unknown; errorType?: unknown; error?: unknown; data?: unknown; warnings?: unknown };
  if (envelope.status === 'error') {
    return { ok: false, error: `Prometheus answered ${httpStatus}: ${String(envelope.errorType ?? 'error')}: ${String(envelope.error ?? 'no message')}` };
  }
  if (httpStatus < 200 || httpStatus >= 300) {
    return { ok: false, error: `Prometheus answered ${httpStatus}` };
  }
  const data = (typeof envelope.data === 'object' && envelope.data !== null ? envelope.data : {}) as { resultType?: unknown; result?: unknown };
  if (envelope.status !== 'success' || data.resultType !== 'matrix' || !Array.isArray(data.result)) {
    return { ok: false, error: `not a query_range answer (status ${String(envelope.status)}, resultType ${String(data.resultType)})` };
  }
  const series: PrometheusSeriesSamples[] = [];
  for (const [index, entry] of (data.result as MatrixEntry[]).entries()) {
    if (!isStringRecord(entry.metric) || !Array.isArray(entry.values)) {
      return { ok: false, error: `result[${index}] is not a series of the matrix` };
    }
    const samples: Array<{ timestamp: number; value: number }> = [];
    for (const point of entry.values as unknown[]) {
      if (!Array.isArray(point) || typeof point[0] !== 'number') {
        return { ok: false, error: `result[${index}].values holds a point that is not [time, "value"]` };
      }
      samples.push({ timestamp: Math.round(point[0] * 1000), value: sampleValue(point[1]) });
    }
    series.push({ labels: entry.metric, samples, path: `result[${index}]` });
  }
  const warnings = Array.isArray(envelope.warnings) ? envelope.warnings.map(String) : [];
  return { ok: true, series, warnings };
}
