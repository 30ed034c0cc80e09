import { Injectable } from '@nestjs/common';
import { KpiWindowHistogram, KpiWindowV1 } from '@strata/contracts';
import { LatencyHistogram, WindowFigures } from '@strata/domain';
import { EntityManager } from 'typeorm';
import { ROUTING_CONTROL_SCHEMA } from '../database/routing-control-schema';
import { KpiWindowEntity } from '../entities/routing-projections.entity';

/** The gateway metrics an analysis needs, per stack config (summed over nodes). */
export const ANALYSED_METRICS = {
  requests: 'gateway_requests_total',
  serverErrors: 'gateway_errors_5xx_total',
  connectErrors: 'gateway_errors_connect_total',
  latency: 'gateway_request_duration_ms',
} as const;

const ANALYSED = new Set<string>(Object.values(ANALYSED_METRICS));

export interface KpiScope {
  stack: string;
  environment: string;
}

/** Figures of one stack config over a span of KPI windows, and which windows they cover. */
export interface SpanFigures extends WindowFigures {
  /** Earliest start and latest end of the windows counted; null when none was. */
  coveredFrom: number | null;
  coveredTo: number | null;
}

/** How far a stack config's windows have arrived: the end of its latest window and the windows' length. */
export interface WindowWatermark {
  latestEnd: number;
  windowMs: number;
}

interface FigureRow {
  metric: string;
  total: number | string | null;
  requests: number | string | null;
  p99: number | string | null;
  histograms: (KpiWindowHistogram | null)[] | null;
  covered_from: Date | null;
  covered_to: Date | null;
}

/** The only code touching routing-control's projection of KPI windows. */
@Injectable()
export class KpiWindowsRepository {
  isAnalysed(window: KpiWindowV1): boolean {
    return ANALYSED.has(window.series.metric) && window.series.stackConfig !== undefined;
  }

  async record(manager: EntityManager, window: KpiWindowV1): Promise<void> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(KpiWindowEntity)
      .values({
        seriesId: window.seriesId,
        windowStart: new Date(window.windowStart),
        windowEnd: new Date(window.windowEnd),
        stack: window.series.stack,
        environment: window.series.environment,
        stackConfig: window.series.stackConfig ?? '',
        metric: window.series.metric,
        sum: window.sum,
        count: String(window.count),
        p99: window.p99,
        histogram: window.series.metric === ANALYSED_METRICS.latency ? (window.histogram ?? null) : null,
      })
      .orIgnore()
      .execute();
  }

  /**
   * Figures of one stack config over the windows lying inside [from, to]: request and error totals,
   * every request's latency as one histogram (merged over windows and nodes), its mean and p99.
   */
  async figures(manager: EntityManager, scope: KpiScope & { stackConfig: string }, from: Date, to: Date): Promise<SpanFigures> {
    const rows = (await manager.query(
      `SELECT metric, SUM(sum) AS total, SUM(count) AS requests, MAX(p99) AS p99,
              array_agg(histogram) FILTER (WHERE histogram IS NOT NULL) AS histograms,
              MIN(window_start) AS covered_from, MAX(window_end) AS covered_to
         FROM "${ROUTING_CONTROL_SCHEMA}".kpi_windows
        WHERE stack = $1 AND environment = $2 AND stack_config = $3 AND window_start >= $4 AND window_end <= $5
        GROUP BY metric`,
      [scope.stack, scope.environment, scope.stackConfig, from, to],
    )) as FigureRow[];
    return figuresOf(rows);
  }

  /** Figures of one stack config per KPI window start inside [from, to], oldest first: what the judge reads in order. */
  async figuresByWindow(manager: EntityManager, scope: KpiScope & { stackConfig: string }, from: Date, to: Date): Promise<Map<number, SpanFigures>> {
    const rows = (await manager.query(
      `SELECT window_start AS start, metric, SUM(sum) AS total, SUM(count) AS requests, MAX(p99) AS p99,
              array_agg(histogram) FILTER (WHERE histogram IS NOT NULL) AS histograms,
              MIN(window_start) AS covered_from, MAX(window_end) AS covered_to
         FROM "${ROUTING_CONTROL_SCHEMA}".kpi_windows
        WHERE stack = $1 AND environment = $2 AND stack_config = $3 AND window_start >= $4 AND window_end <= $5
        GROUP BY window_start, metric
        ORDER BY window_start`,
      [scope.stack, scope.environment, scope.stackConfig, from, to],
    )) as (FigureRow & { start: Date })[];
    const byStart = new Map<number, FigureRow[]>();
    for (const row of rows) byStart.set(row.start.getTime(), [...(byStart.get(row.start.getTime()) ?? []), row]);
    return new Map([...byStart.entries()].map(([start, windowRows]) => [start, figuresOf(windowRows)]));
  }

  /**
   * How far a stack config's request windows have arrived. metrics-ingest publishes every series
   * of a window together and windows in order, so once a config's window ending at E is here, its
   * windows ending before E are too (on Kafka, a sibling node's window of the same end may trail
   * by the partitions' skew, milliseconds in practice).
   */
  async watermark(manager: EntityManager, scope: KpiScope & { stackConfig: string }): Promise<WindowWatermark | null> {
    // The latest window by start, read off the end of the (stack, environment, stack config, metric,
    // window start) index: one row, however long the history. Windows of one series share a length.
    const rows = (await manager.query(
      `SELECT (extract(epoch FROM window_end) * 1000)::float8 AS latest_end,
              (extract(epoch FROM window_end - window_start) * 1000)::float8 AS window_ms
         FROM "${ROUTING_CONTROL_SCHEMA}".kpi_windows
        WHERE stack = $1 AND environment = $2 AND stack_config = $3 AND metric = $4
        ORDER BY window_start DESC
        LIMIT 1`,
      [scope.stack, scope.environment, scope.stackConfig, ANALYSED_METRICS.requests],
    )) as { latest_end: number | null; window_ms: number | null }[];
    const row = rows[0];
    if (row?.latest_end === null || row?.latest_end === undefined || !row.window_ms) {
      return null;
    }
    const windowMs = Number(row.window_ms);
    return { latestEnd: Math.round(Number(row.latest_end)), windowMs: Math.round(windowMs) };
  }
}

function figuresOf(rows: readonly FigureRow[]): SpanFigures {
  const total = (metric: string): number => Number(rows.find((row) => row.metric === metric)?.total ?? 0);
  const latency = rows.find((row) => row.metric === ANALYSED_METRICS.latency);
  const latencyHistogram = mergeHistograms(latency?.histograms ?? []);
  const measured = latency !== undefined && Number(latency.requests ?? 0) > 0;
  const covered = rows.filter((row) => row.covered_from !== null && row.covered_to !== null);
  return {
    requests: total(ANALYSED_METRICS.requests),
    errors: total(ANALYSED_METRICS.serverErrors) + total(ANALYSED_METRICS.connectErrors),
    latencyP99Ms: latencyHistogram.values.length > 0 ? histogramQuantile(latencyHistogram, 0.99) : latency?.p99 === null || latency?.p99 === undefined ? null : Number(latency.p99),
    latencyMeanMs: measured ? Number(latency.total) / Number(latency.requests) : null,
    latencyHistogram,
    coveredFrom: covered.length === 0 ? null : Math.min(...covered.map((row) => (row.covered_from as Date).getTime())),
    coveredTo: covered.length === 0 ? null : Math.max(...covered.map((row) => (row.covered_to as Date).getTime())),
  };
}

/** Adds histograms value by value (the sketch's buckets are fixed, so equal values are one bucket). */
export function mergeHistograms(histograms: readonly (KpiWindowHistogram | null)[]): LatencyHistogram {
  const counts = new Map<number, number>();
  for (const histogram of histograms) {
    histogram?.values.forEach((value, index) => counts.set(value, (counts.get(value) ?? 0) + (histogram.counts[index] ?? 0)));
  }
  const values = [...counts.keys()].sort((a, b) => a - b);
  return { values, counts: values.map((value) => counts.get(value) ?? 0) };
}

/** Nearest-rank quantile of a histogram. */
function histogramQuantile(histogram: LatencyHistogram, quantile: number): number {
  const total = histogram.counts.reduce((sum, count) => sum + count, 0);
  const rank = Math.max(1, Math.ceil(quantile * total));
  let seen = 0;
  for (let index = 0; index < histogram.values.length; index += 1) {
    seen += histogram.counts[index];
    if (seen >= rank) return histogram.values[index];
  }
  return histogram.values[histogram.values.length - 1];
}
