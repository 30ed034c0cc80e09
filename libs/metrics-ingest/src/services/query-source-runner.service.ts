import { Inject, Injectable } from '@nestjs/common';
import { DEFAULT_COLLECTOR_SETTINGS, METRICS_INGEST_SETTINGS, MetricsIngestSettings } from '../config/metrics-ingest-settings';
import { nextQueryWindow } from '../collectors/query-window';
import { querySourceBatches } from '../collectors/query-source-batches';
import { acceptedRange } from '../domain/partitions';
import { QuerySourceRecord, QuerySourcesRepository } from '../repositories/query-sources.repository';
import { IngestService } from './ingest.service';
import { PrometheusQueryClient } from './prometheus-query.client';

/**
 * One run of a Prometheus query source: the range after its cursor (see nextQueryWindow), mapped
 * and stored; the cursor moves only once the samples are stored, so a failed run is simply
 * retried from the same place next interval (a run that stored but failed to move the cursor
 * re-reads samples the store then counts as duplicates).
 */
@Injectable()
export class QuerySourceRunner {
  constructor(
    private readonly sources: QuerySourcesRepository,
    private readonly prometheus: PrometheusQueryClient,
    private readonly ingest: IngestService,
    @Inject(METRICS_INGEST_SETTINGS) private readonly settings: MetricsIngestSettings,
  ) {}

  /** Returns false when the run failed (the error is on the source). */
  async run(source: QuerySourceRecord, now = Date.now()): Promise<boolean> {
    const collectors = this.settings.collectors ?? DEFAULT_COLLECTOR_SETTINGS;
    const window = nextQueryWindow({
      cursor: source.cursor,
      now,
      stepMs: source.stepMs,
      delayMs: source.delayMs,
      backfillMs: source.backfillMs,
      acceptedFrom: acceptedRange(now, this.settings.retention).from,
      maxPoints: collectors.maxPointsPerQuery,
    });
    if (window === null) {
      await this.sources.finishRun(source.id, { error: null, outcome: null, runAgainNow: false, cursor: null });
      return true;
    }
    try {
      const answer = await this.prometheus.queryRange({ baseUrl: source.baseUrl, query: source.query, start: window.start, end: window.end, stepMs: source.stepMs, timeoutMs: collectors.requestTimeoutMs });
      if (!answer.ok) {
        throw new Error(answer.error);
      }
      const mapped = querySourceBatches(answer.series, source.metric, source.defaults);
      const stored = mapped.batches.length > 0 ? await this.ingest.ingest(mapped.batches, 'prometheus-query') : null;
      await this.sources.finishRun(source.id, {
        error: null,
        cursor: window.end,
        runAgainNow: !window.caughtUp,
        outcome: {
          start: new Date(window.start).toISOString(),
          end: new Date(window.end).toISOString(),
          series: stored?.series ?? 0,
          samplesStored: stored?.samplesStored ?? 0,
          samplesDuplicate: stored?.samplesDuplicate ?? 0,
          samplesSkippedNonFinite: mapped.skippedNonFinite,
          unmappedSeries: mapped.unmappedSeries,
          unmappedReason: mapped.unmappedReason,
          warnings: answer.warnings,
        },
      });
      return true;
    } catch (error) {
      await this.sources.finishRun(source.id, { error: (error as Error).message.slice(0, 2_000), outcome: null, runAgainNow: false, cursor: null });
      return false;
    }
  }
}
