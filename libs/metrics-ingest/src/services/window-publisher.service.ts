import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { KpiSeriesLabels, StrataEvent, Topics } from '@strata/contracts';
import { DomainError } from '@strata/domain';
import { EventOutbox, EventSubscriber } from '@strata/messaging';
import { Logger } from '@strata/observability';
import { PeriodicTask } from '@strata/runtime';
import { METRICS_INGEST_SETTINGS, MetricsIngestSettings } from '../config/metrics-ingest-settings';
import { KPI_SAMPLES_CONSUMER } from '../consumers/kpi-samples.consumer';
import { longestHoldMs, publishableUntil } from '../domain/applied-watermark';
import { SeriesLabels } from '../domain/series-batch';
import { dueWindows, windowAggregate } from '../domain/windows';
import { RollupsRepository, SeriesRollupRow } from '../repositories/rollups.repository';
import { WindowCursorRepository, WindowPublication } from '../repositories/window-cursor.repository';
import { KpiSamplesWatermark } from './kpi-samples-watermark';

const CURSOR = 'kpi-windows';

function kpiLabels(labels: SeriesLabels): KpiSeriesLabels {
  const { extra: _extra, ...fixed } = labels;
  return fixed;
}

/**
 * Publishes `io.strata.kpi.window.v1` per series and window (default every 10 s) through the
 * outbox, from the 10-second rollups. A window is published once, `graceMs` after it ends and once
 * the `kpi.samples` flushes on the bus by then are applied (the applied watermark: a backlog after a
 * restart holds windows, for at most one window less than the catch-up span, instead of sending them
 * cut short for good); samples arriving later still reach rollups and queries but not an already
 * published window. Series with no sample in a window publish nothing for it.
 */
@Injectable()
export class WindowPublisherService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('metrics-windows');
  private readonly task = new PeriodicTask(
    () => this.publishApplied(Date.now()),
    (error) => this.logger.error('window publication failed; will retry', error),
  );
  private readonly watermark: KpiSamplesWatermark;
  private startedAt = Date.now();
  /** The latest window end this replica published: while no later one can be due, the bus is not asked. */
  private publishedEnd = Number.NEGATIVE_INFINITY;
  /** Whether windows are held behind the watermark now: said once when it starts and once when it ends. */
  private holding = false;

  constructor(
    private readonly cursor: WindowCursorRepository,
    private readonly rollups: RollupsRepository,
    private readonly events: EventOutbox,
    subscriber: EventSubscriber,
    @Inject(METRICS_INGEST_SETTINGS) private readonly settings: MetricsIngestSettings,
  ) {
    this.watermark = new KpiSamplesWatermark(() => subscriber.positions(KPI_SAMPLES_CONSUMER, Topics.kpiSamples), this.logger);
  }

  onApplicationBootstrap(): void {
    this.startedAt = Date.now();
    this.task.start(this.settings.windowPublishTickMs);
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** Publishes the windows due at `now` whose `kpi.samples` flushes are applied: what the timer runs. */
  async publishApplied(now: number): Promise<WindowPublication | null> {
    const { intervalMs, graceMs } = this.settings.windows;
    if (Math.floor((now - graceMs) / intervalMs) * intervalMs <= this.publishedEnd) return null;
    const until = publishableUntil(now, await this.watermark.appliedAt(now), this.startedAt, this.settings.windows);
    this.reportHolding(now, until);
    if (until === null) return null;
    const publication = await this.publishDue(until);
    if (publication) this.publishedEnd = Math.max(this.publishedEnd, publication.publishedEnd);
    return publication;
  }

  /** Holding starts past one window interval behind (the consumer's ordinary pace is far less) and ends within half of one. */
  private reportHolding(now: number, until: number | null): void {
    const { intervalMs } = this.settings.windows;
    const lag = now - (until ?? this.startedAt);
    const holding = this.holding ? lag > intervalMs / 2 : lag > intervalMs;
    if (holding === this.holding) return;
    this.holding = holding;
    if (holding) this.logger.warn('KPI windows held: kpi.samples flushes already written are not applied yet (a backlog after a restart or an outage)', { longestHoldMs: longestHoldMs(this.settings.windows) });
    else this.logger.info('kpi.samples caught up: held KPI windows are published');
  }

  /** Publishes every window due at `now`; returns what it published (null if nothing was due). */
  publishDue(now: number): Promise<WindowPublication | null> {
    return this.cursor.publishUnderCursor(CURSOR, async (lastPublishedEnd, manager) => {
      const windows = dueWindows(lastPublishedEnd, now, this.settings.windows);
      const first = windows[0];
      const last = windows[windows.length - 1];
      if (!first || !last) {
        return null;
      }
      const rows = await this.rollups.tenSecondBuckets(manager, first.start, last.end);
      const events: StrataEvent[] = [];
      for (const window of windows) {
        const bySeries = new Map<string, SeriesRollupRow[]>();
        for (const row of rows) {
          if (row.bucket >= window.start && row.bucket < window.end) {
            const list = bySeries.get(row.seriesId);
            if (list) list.push(row);
            else bySeries.set(row.seriesId, [row]);
          }
        }
        for (const [seriesId, buckets] of bySeries) {
          const event = this.windowEvent(seriesId, window, buckets);
          if (event) events.push(event);
        }
      }
      return { publishedEnd: last.end, events };
    });
  }

  /**
   * One series' window as an event, or null when the contract refuses it (its rollups hold values
   * stored before the ingest limits): that window is skipped with a warning, never the others.
   * Every window shares one cursor, so a throw here would stop publication for every series.
   */
  private windowEvent(seriesId: string, window: { start: number; end: number }, buckets: SeriesRollupRow[]): StrataEvent | null {
    const labels = buckets[0]?.labels;
    if (!labels) return null;
    try {
      return this.events.create('io.strata.kpi.window.v1', seriesId, { series: kpiLabels(labels), seriesId, ...windowAggregate(window.start, window.end, buckets) });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.logger.warn('KPI window skipped: it cannot become an event', { seriesId, windowStart: new Date(window.start).toISOString(), problems: error.violations });
      return null;
    }
  }
}
