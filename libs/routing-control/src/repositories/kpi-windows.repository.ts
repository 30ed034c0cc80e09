import { Injectable } from '@nestjs/common';
import { KpiWindowV1 } from '@strata/contracts';
import { WindowFigures } from '@strata/domain';
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
      })
      .orIgnore()
      .execute();
  }

  /**
   * Figures of one stack config over the windows lying inside [from, to]: totals, the worst
   * window's p99, and the mean latency of every window of every node (the judge's samples).
   */
  async figures(manager: EntityManager, scope: { stack: string; environment: string; stackConfig: string }, from: Date, to: Date): Promise<WindowFigures> {
    const rows = (await manager.query(
      `SELECT metric, SUM(sum) AS total, MAX(p99) AS p99,
              array_agg(sum / count ORDER BY window_start) FILTER (WHERE count > 0) AS means
         FROM "${ROUTING_CONTROL_SCHEMA}".kpi_windows
        WHERE stack = $1 AND environment = $2 AND stack_config = $3 AND window_start >= $4 AND window_end <= $5
        GROUP BY metric`,
      [scope.stack, scope.environment, scope.stackConfig, from, to],
    )) as { metric: string; total: number | null; p99: number | null; means: (number | string)[] | null }[];
    const total = (metric: string): number => Number(rows.find((row) => row.metric === metric)?.total ?? 0);
    const latency = rows.find((row) => row.metric === ANALYSED_METRICS.latency);
    return {
      requests: total(ANALYSED_METRICS.requests),
      errors: total(ANALYSED_METRICS.serverErrors) + total(ANALYSED_METRICS.connectErrors),
      latencyP99Ms: latency?.p99 === null || latency?.p99 === undefined ? null : Number(latency.p99),
      latencyMeansMs: (latency?.means ?? []).map(Number),
    };
  }
}
