import { Injectable } from '@nestjs/common';
import type { StreamingDetectorState } from '@strata/analytics';
import type { KpiSeriesLabels } from '@strata/contracts';
import { EntityManager } from 'typeorm';
import { PREDICTIVE_STAGING_SCHEMA } from '../database/predictive-staging-schema';
import { LABEL_COLUMNS, LabelledRow, labelParameters, labelsOf } from './labelled-rows';

const schema = PREDICTIVE_STAGING_SCHEMA;

export interface SeriesDetectorRow {
  detectorState: StreamingDetectorState | null;
  windowsSeen: number;
  lastWindowEnd: number | null;
}

export interface SeriesRecord {
  seriesId: string;
  labels: KpiSeriesLabels;
  stepMs: number | null;
  lastWindowEnd: number | null;
}

export interface SeriesPoint {
  at: number;
  value: number;
}

interface SeriesRow extends LabelledRow {
  step_ms: number | null;
  last_window_end: Date | null;
}

/** One series' window values before and after a moment (see `windowsAround`). */
export interface SeriesWindowValues {
  seriesId: string;
  metric: string;
  node: string | null;
  stackConfig: string | null;
  before: number[];
  after: number[];
}

/** The only code touching the series projection: identity, detector state and window history. */
@Injectable()
export class SeriesRepository {
  /**
   * Registers the series on its first window and locks its row for this transaction, so two
   * deliveries of one series' windows never interleave their detector updates.
   */
  async lockForUpdate(manager: EntityManager, seriesId: string, labels: KpiSeriesLabels): Promise<SeriesDetectorRow> {
    await manager.query(
      `INSERT INTO "${schema}".series (${LABEL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (series_id) DO NOTHING`,
      labelParameters(seriesId, labels),
    );
    const rows = (await manager.query(`SELECT detector_state, windows_seen, last_window_end FROM "${schema}".series WHERE series_id = $1 FOR UPDATE`, [seriesId])) as {
      detector_state: StreamingDetectorState | null;
      windows_seen: number;
      last_window_end: Date | null;
    }[];
    const row = rows[0];
    if (!row) throw new Error(`series '${seriesId}' vanished while locked`);
    return { detectorState: row.detector_state, windowsSeen: row.windows_seen, lastWindowEnd: row.last_window_end?.getTime() ?? null };
  }

  async saveDetector(manager: EntityManager, seriesId: string, update: { state: StreamingDetectorState; windowsSeen: number; windowEnd: number; stepMs: number }): Promise<void> {
    await manager.query(
      `UPDATE "${schema}".series SET detector_state = $2, windows_seen = $3, last_window_end = $4, step_ms = $5, updated_at = now() WHERE series_id = $1`,
      [seriesId, JSON.stringify(update.state), update.windowsSeen, new Date(update.windowEnd), update.stepMs],
    );
  }

  async appendPoint(manager: EntityManager, seriesId: string, point: SeriesPoint): Promise<void> {
    await manager.query(`INSERT INTO "${schema}".series_points (series_id, window_end, value) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [seriesId, new Date(point.at), point.value]);
  }

  /** Forgets all but the newest `keep` values of the series. */
  async trimHistory(manager: EntityManager, seriesId: string, keep: number): Promise<void> {
    await manager.query(
      `DELETE FROM "${schema}".series_points
        WHERE series_id = $1 AND window_end <= (
          SELECT window_end FROM "${schema}".series_points WHERE series_id = $1 ORDER BY window_end DESC OFFSET $2 LIMIT 1)`,
      [seriesId, keep],
    );
  }

  async find(manager: EntityManager, seriesId: string): Promise<SeriesRecord | null> {
    const rows = (await manager.query(`SELECT * FROM "${schema}".series WHERE series_id = $1`, [seriesId])) as SeriesRow[];
    const row = rows[0];
    return row ? { seriesId: row.series_id, labels: labelsOf(row), stepMs: row.step_ms, lastWindowEnd: row.last_window_end?.getTime() ?? null } : null;
  }

  /** The newest `limit` values of a series, oldest first. */
  async history(manager: EntityManager, seriesId: string, limit: number): Promise<SeriesPoint[]> {
    const rows = (await manager.query(
      `SELECT window_end, value FROM (
         SELECT window_end, value FROM "${schema}".series_points WHERE series_id = $1 ORDER BY window_end DESC LIMIT $2
       ) AS newest ORDER BY window_end`,
      [seriesId, limit],
    )) as { window_end: Date; value: number }[];
    return rows.map((row) => ({ at: row.window_end.getTime(), value: row.value }));
  }

  /**
   * The mean of the kept window values of a metric under one version group, over all its nodes'
   * series; null when none are kept (the group ran before this service saw it, or history was trimmed).
   */
  async levelUnder(manager: EntityManager, where: { stack: string; environment: string; component: string; metric: string }, stackConfig: string): Promise<{ mean: number; windows: number } | null> {
    const rows = (await manager.query(
      `SELECT avg(p.value)::float8 AS mean, count(*)::int AS windows FROM "${schema}".series_points p JOIN "${schema}".series s ON s.series_id = p.series_id
        WHERE s.stack = $1 AND s.environment = $2 AND s.component = $3 AND s.metric = $4 AND s.stack_config = $5`,
      [where.stack, where.environment, where.component, where.metric, stackConfig],
    )) as { mean: number | null; windows: number }[];
    const row = rows[0];
    return row && row.mean !== null && row.windows > 0 ? { mean: row.mean, windows: row.windows } : null;
  }

  /** How many KPI windows (distinct window ends, over every series of the component) are kept under each of `groups`; groups with none are absent. */
  async windowsUnder(manager: EntityManager, where: { stack: string; environment: string; component: string }, groups: readonly string[]): Promise<Map<string, number>> {
    if (groups.length === 0) return new Map();
    const rows = (await manager.query(
      `SELECT s.stack_config, count(DISTINCT p.window_end)::int AS windows FROM "${schema}".series_points p JOIN "${schema}".series s ON s.series_id = p.series_id
        WHERE s.stack = $1 AND s.environment = $2 AND s.component = $3 AND s.stack_config = ANY($4) GROUP BY s.stack_config`,
      [where.stack, where.environment, where.component, groups],
    )) as { stack_config: string; windows: number }[];
    return new Map(rows.map((row) => [row.stack_config, row.windows]));
  }

  /**
   * The window values of a component's series (`metric` picks which) in `(pivot − span, pivot]` and
   * `(pivot, pivot + span]`, by window end: the windows before and after a change at `pivot`.
   */
  async windowsAround(manager: EntityManager, where: { stack: string; environment: string; component: string }, metric: RegExp, pivot: Date, spanMs: number): Promise<SeriesWindowValues[]> {
    const series = ((await manager.query(`SELECT series_id, metric, node, stack_config FROM "${schema}".series WHERE stack = $1 AND environment = $2 AND component = $3 ORDER BY metric, node NULLS FIRST, series_id`, [
      where.stack,
      where.environment,
      where.component,
    ])) as { series_id: string; metric: string; node: string | null; stack_config: string | null }[]).filter((row) => metric.test(row.metric));
    if (series.length === 0) return [];
    const points = (await manager.query(
      `SELECT series_id, window_end <= $2 AS before, value FROM "${schema}".series_points
        WHERE series_id = ANY($1::text[]) AND window_end > $2::timestamptz - make_interval(secs => $3::double precision / 1000) AND window_end <= $2::timestamptz + make_interval(secs => $3::double precision / 1000)
        ORDER BY series_id, window_end`,
      [series.map((row) => row.series_id), pivot, spanMs],
    )) as { series_id: string; before: boolean; value: number }[];
    return series.map((row) => {
      const own = points.filter((point) => point.series_id === row.series_id);
      return {
        seriesId: row.series_id,
        metric: row.metric,
        node: row.node,
        stackConfig: row.stack_config,
        before: own.filter((point) => point.before).map((point) => point.value),
        after: own.filter((point) => !point.before).map((point) => point.value),
      };
    });
  }

  /**
   * Series that have contributed at least `minPoints` values. Every judged window adds one value
   * and history keeps at least `minPoints`, so the counter answers without scanning the history.
   */
  async forecastable(manager: EntityManager, minPoints: number): Promise<string[]> {
    const rows = (await manager.query(`SELECT series_id FROM "${schema}".series WHERE windows_seen >= $1 ORDER BY series_id`, [minPoints])) as { series_id: string }[];
    return rows.map((row) => row.series_id);
  }
}
