import { Injectable } from '@nestjs/common';
import type { KpiWindowHistogram, KpiWindowV1 } from '@strata/contracts';
import { DomainError, DomainErrorCode } from '@strata/domain';
import { isUniqueViolation } from '@strata/persistence';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { PREDICTIVE_STAGING_SCHEMA } from '../database/predictive-staging-schema';
import type { MirrorSideFigures, MirrorWindow } from '../domain/mirror-verdict';

const schema = PREDICTIVE_STAGING_SCHEMA;

/** The gateway's metrics a trial compares: `gateway_*` of production's requests, `gateway_mirror_*` of the copies. */
const FIGURES = {
  requests_total: 'requests',
  errors_4xx_total: 'clientErrors',
  errors_5xx_total: 'serverErrors',
  errors_connect_total: 'connectErrors',
  request_duration_ms: 'latency',
  body_comparisons_total: 'bodyComparisons',
  body_mismatches_total: 'bodyMismatches',
} as const;
/** Published with every request counted; the body comparisons only where they are configured and done. */
const ALWAYS_PUBLISHED = ['requests', 'clientErrors', 'serverErrors', 'connectErrors', 'latency'];
type Figure = (typeof FIGURES)[keyof typeof FIGURES];

/** Which side and figure a gateway metric is, or undefined for any other metric. */
export function trialMetric(metric: string): { side: 'production' | 'mirror'; figure: Figure } | undefined {
  const mirrored = metric.startsWith('gateway_mirror_');
  const name = mirrored ? metric.slice('gateway_mirror_'.length) : metric.startsWith('gateway_') ? metric.slice('gateway_'.length) : undefined;
  const figure = name === undefined ? undefined : FIGURES[name as keyof typeof FIGURES];
  return figure === undefined ? undefined : { side: mirrored ? 'mirror' : 'production', figure };
}

export interface NodeCopies {
  node: string;
  copies: number;
  failed: number;
}

export interface NewMirrorTrial {
  proposalId: string;
  stack: string;
  environment: string;
  stackConfig: string;
  sampleRate: number;
  createdBy: string;
}

interface WindowRow {
  side: 'production' | 'mirror';
  metric: string;
  window_start: Date;
  sum: number;
  histogram: KpiWindowHistogram | null;
}

/** The only code touching mirror_trials and mirror_trial_windows. */
@Injectable()
export class MirrorTrialsRepository {
  /**
   * Claims the stack and environment's mirror for a trial; another trial running there → 409 naming
   * environment. A trial still `running` past its window and `staleAfterMs` more (its process died
   * before judging it; routing-control removed its mirror at its `until`) is marked failed first.
   */
  async claim(manager: EntityManager, trial: NewMirrorTrial, staleAfterMs: number): Promise<string> {
    const id = randomUUID();
    await manager.query(
      `UPDATE "${schema}".mirror_trials SET status = 'failed', finished_at = now()
        WHERE stack = $1 AND environment = $2 AND status = 'running' AND COALESCE(ends_at, created_at) + make_interval(secs => $3 / 1000.0) < now()`,
      [trial.stack, trial.environment, staleAfterMs],
    );
    try {
      await manager.query(
        `INSERT INTO "${schema}".mirror_trials (id, proposal_id, stack, environment, stack_config, sample_rate, status, created_by) VALUES ($1, $2, $3, $4, $5, $6, 'running', $7)`,
        [id, trial.proposalId, trial.stack, trial.environment, trial.stackConfig, trial.sampleRate, trial.createdBy],
      );
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DomainError(DomainErrorCode.Conflict, `a mirrored trial is already running in ${trial.stack}/${trial.environment}`, [{ field: 'environment', message: 'has a mirrored trial running: a routing policy has one mirror' }]);
      }
      throw error;
    }
    return id;
  }

  /** The mirror is on from `startedAt`: windows of the stable config and of the staging config's copies are kept from then on. */
  async started(manager: EntityManager, id: string, stableConfig: string, startedAt: Date, endsAt: Date): Promise<void> {
    await manager.query(`UPDATE "${schema}".mirror_trials SET stable_config = $2, started_at = $3, ends_at = $4 WHERE id = $1`, [id, stableConfig, startedAt, endsAt]);
  }

  async finish(manager: EntityManager, id: string, status: 'judged' | 'failed'): Promise<void> {
    await manager.query(`UPDATE "${schema}".mirror_trials SET status = $2, finished_at = now() WHERE id = $1`, [id, status]);
  }

  /**
   * Keeps one KPI window for every running trial it belongs to: a `gateway_*` window of the trial's
   * stable config or a `gateway_mirror_*` window of its staging config, starting while the mirror
   * is on. A window that started before it is left out: it may hold copies of an earlier trial to
   * the same stack config (a window is the finest grain there is), at the cost of the copies sent
   * before the first window boundary.
   */
  async record(manager: EntityManager, window: KpiWindowV1): Promise<void> {
    const metric = trialMetric(window.series.metric);
    if (metric === undefined || window.series.stackConfig === undefined) return;
    await manager.query(
      `INSERT INTO "${schema}".mirror_trial_windows (trial_id, side, series_id, metric, window_start, window_end, sum, histogram, node)
       SELECT id, $1, $2, $3, $4, $5, $6, $7, $11 FROM "${schema}".mirror_trials
        WHERE status = 'running' AND stack = $8 AND environment = $9 AND started_at IS NOT NULL AND $4 >= started_at AND $4 < ends_at
          AND (CASE WHEN $1 = 'mirror' THEN stack_config ELSE stable_config END) = $10
       ON CONFLICT DO NOTHING`,
      [metric.side, window.seriesId, metric.figure, new Date(window.windowStart), new Date(window.windowEnd), window.sum, window.histogram ?? null, window.series.stack, window.series.environment, window.series.stackConfig, window.series.node ?? null],
    );
  }

  /**
   * How far each side's windows have arrived: the earliest, over the five figures always published, of the latest
   * window end kept (each figure is its own series, published on its own); null until all five have one.
   */
  async arrivedUntil(manager: EntityManager, id: string): Promise<{ production: number | null; mirror: number | null }> {
    const rows = (await manager.query(
      `SELECT side, count(*)::int AS figures, min(until) AS until
         FROM (SELECT side, metric, max(window_end) AS until FROM "${schema}".mirror_trial_windows WHERE trial_id = $1 AND metric = ANY($2) GROUP BY side, metric) latest
        GROUP BY side`,
      [id, ALWAYS_PUBLISHED],
    )) as { side: string; figures: number; until: Date }[];
    const of = (side: string) => {
      const row = rows.find((candidate) => candidate.side === side);
      return row && row.figures === ALWAYS_PUBLISHED.length ? row.until.getTime() : null;
    };
    return { production: of('production'), mirror: of('mirror') };
  }

  /** Per node of the staging config, the copies it answered and how many failed (5xx or unanswered), over the trial. */
  async copiesByNode(manager: EntityManager, id: string): Promise<NodeCopies[]> {
    const rows = (await manager.query(
      `SELECT node, sum(sum) FILTER (WHERE metric = 'requests') AS requests, sum(sum) FILTER (WHERE metric IN ('serverErrors', 'connectErrors')) AS failed
         FROM "${schema}".mirror_trial_windows WHERE trial_id = $1 AND side = 'mirror' AND node IS NOT NULL GROUP BY node ORDER BY node`,
      [id],
    )) as { node: string; requests: number | null; failed: number | null }[];
    return rows.map((row) => ({ node: row.node, copies: Math.round(Number(row.requests ?? 0)), failed: Math.round(Number(row.failed ?? 0)) }));
  }

  /** The trial's windows, each side's figures summed over nodes and histograms merged, oldest first. */
  async windows(manager: EntityManager, id: string): Promise<MirrorWindow[]> {
    const rows = (await manager.query(`SELECT side, metric, window_start, sum, histogram FROM "${schema}".mirror_trial_windows WHERE trial_id = $1 ORDER BY window_start`, [id])) as WindowRow[];
    const windows = new Map<number, { production: Accumulated; mirror: Accumulated }>();
    for (const row of rows) {
      const start = row.window_start.getTime();
      const window = windows.get(start) ?? { production: new Accumulated(), mirror: new Accumulated() };
      windows.set(start, window);
      window[row.side].add(row.metric as Figure, Number(row.sum), row.histogram);
    }
    return [...windows.entries()].map(([windowStart, { production, mirror }]) => ({ windowStart, production: production.figures(), mirror: mirror.figures() }));
  }
}

class Accumulated {
  private readonly counts: Record<Exclude<Figure, 'latency'>, number> = { requests: 0, clientErrors: 0, serverErrors: 0, connectErrors: 0, bodyComparisons: 0, bodyMismatches: 0 };
  private readonly latency = new Map<number, number>();

  add(figure: Figure, sum: number, histogram: KpiWindowHistogram | null): void {
    if (figure !== 'latency') {
      this.counts[figure] += Math.round(sum);
      return;
    }
    histogram?.values.forEach((value, index) => this.latency.set(value, (this.latency.get(value) ?? 0) + (histogram.counts[index] ?? 0)));
  }

  figures(): MirrorSideFigures {
    const values = [...this.latency.keys()].sort((left, right) => left - right);
    const { clientErrors, serverErrors, connectErrors, bodyComparisons, bodyMismatches } = this.counts;
    // A window's error series may arrive before its requests series: never judge more errors than requests.
    const requests = Math.max(this.counts.requests, clientErrors + serverErrors + connectErrors);
    const latency = { values, counts: values.map((value) => Math.round(this.latency.get(value) ?? 0)) };
    return { requests, clientErrors, serverErrors, connectErrors, latency, bodyComparisons, bodyMismatches: Math.min(bodyMismatches, bodyComparisons) };
  }
}
