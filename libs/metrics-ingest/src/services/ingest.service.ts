import { Inject, Injectable } from '@nestjs/common';
import { DomainError, DomainViolation } from '@strata/domain';
import { metricsRegistry } from '@strata/observability';
import { Counter } from 'prom-client';
import { EntityManager } from 'typeorm';
import { METRICS_INGEST_SETTINGS, MetricsIngestSettings } from '../config/metrics-ingest-settings';
import { DAY_MS, DayPartition, PARTITIONED_TABLES, acceptedRange, dayPartition } from '../domain/partitions';
import { SeriesBatch, seriesKey } from '../domain/series-batch';
import { PartitionsRepository } from '../repositories/partitions.repository';
import { ResolvedBatch, SamplesRepository } from '../repositories/samples.repository';
import { SeriesRepository } from '../repositories/series.repository';
import { WriteGate } from './write-gate';

/** Where samples came from, as the samples counter labels them. */
export type IntakePath = 'json' | 'prometheus-text' | 'remote-write' | 'bus' | 'prometheus-query' | 'postgres-statements' | 'heartbeat';

export interface IngestOutcome {
  series: number;
  samplesReceived: number;
  samplesStored: number;
  /** Samples whose (series, timestamp) was already stored: the first written value stays. */
  samplesDuplicate: number;
  histogramsReceived: number;
  histogramsStored: number;
  histogramsDuplicate: number;
}

const samplesCounter = new Counter({
  name: 'strata_metrics_ingest_samples_total',
  help: 'KPI samples received, by intake path and outcome (stored, duplicate)',
  labelNames: ['intake', 'outcome'] as const,
  registers: [metricsRegistry],
});

/** Bounds memory of the series-id cache; a miss costs one round trip, so a reset is cheap. */
const SERIES_CACHE_LIMIT = 200_000;

/**
 * Stores batches of samples from every intake path with one rule set:
 * - a request is all-or-nothing: one refused sample refuses all, and the answer names it;
 * - samples are accepted from the raw retention horizon up to the last partition kept ahead, in
 *   any order;
 * - a sample whose (series, timestamp) is stored already is a duplicate: the first written value
 *   stays (as Prometheus does) and the answer counts it. Within one batch the first occurrence wins.
 */
@Injectable()
export class IngestService {
  private readonly seriesIds = new Map<string, string>();
  private readonly knownPartitions = new Set<string>();
  private readonly gate: WriteGate;

  constructor(
    private readonly series: SeriesRepository,
    private readonly samples: SamplesRepository,
    private readonly partitions: PartitionsRepository,
    @Inject(METRICS_INGEST_SETTINGS) private readonly settings: MetricsIngestSettings,
  ) {
    this.gate = new WriteGate(settings.maxConcurrentWrites, settings.maxQueuedWrites);
  }

  /** Writes in `manager`'s transaction when given (event consumers), else in its own. */
  async ingest(batches: readonly SeriesBatch[], intake: IntakePath, manager?: EntityManager): Promise<IngestOutcome> {
    this.assertWithinAcceptedRange(batches, Date.now());
    await this.ensurePartitions(batches);
    const resolved = await this.resolveSeries(batches);
    const stored = await this.gate.run(() => this.samples.store(resolved, manager));
    const samplesReceived = batches.reduce((total, batch) => total + batch.samples.length, 0);
    const histogramsReceived = batches.reduce((total, batch) => total + batch.histograms.length, 0);
    samplesCounter.inc({ intake, outcome: 'stored' }, stored.samplesStored);
    samplesCounter.inc({ intake, outcome: 'duplicate' }, samplesReceived - stored.samplesStored);
    return {
      series: new Set(resolved.map((batch) => batch.seriesId)).size,
      samplesReceived,
      samplesStored: stored.samplesStored,
      samplesDuplicate: samplesReceived - stored.samplesStored,
      histogramsReceived,
      histogramsStored: stored.histogramsStored,
      histogramsDuplicate: histogramsReceived - stored.histogramsStored,
    };
  }

  /** Partitions now known to exist (the maintenance job tells the cache what it created or dropped). */
  rememberPartitions(existing: readonly string[]): void {
    this.knownPartitions.clear();
    for (const name of existing) {
      this.knownPartitions.add(name);
    }
  }

  private assertWithinAcceptedRange(batches: readonly SeriesBatch[], now: number): void {
    const range = acceptedRange(now, this.settings.retention);
    const outside = (timestamp: number) => timestamp < range.from || timestamp >= range.to;
    const message = `must be within the accepted range [${new Date(range.from).toISOString()}, ${new Date(range.to).toISOString()}) — the raw retention and the partitions kept ahead`;
    for (const batch of batches) {
      const sampleIndex = batch.samples.findIndex((sample) => outside(sample.timestamp));
      const histogramIndex = batch.histograms.findIndex((histogram) => outside(histogram.timestamp));
      const violation: DomainViolation | null =
        sampleIndex >= 0
          ? { field: `${batch.path}.samples[${sampleIndex}].timestamp`, message }
          : histogramIndex >= 0
            ? { field: `${batch.path}.histograms[${histogramIndex}].timestamp`, message }
            : null;
      if (violation) {
        throw DomainError.invalid(`the batch was refused, nothing was stored: ${violation.field} ${violation.message}`, [violation]);
      }
    }
  }

  /** Intake creates the partition of a day it meets first (normally the maintenance job did). */
  private async ensurePartitions(batches: readonly SeriesBatch[]): Promise<void> {
    const days = new Set<number>();
    for (const batch of batches) {
      for (const points of [batch.samples, batch.histograms]) {
        let lastDay = Number.NaN;
        for (const point of points) {
          const day = Math.floor(point.timestamp / DAY_MS);
          if (day !== lastDay) {
            days.add(day);
            lastDay = day;
          }
        }
      }
    }
    const missing: DayPartition[] = [];
    for (const day of days) {
      for (const table of PARTITIONED_TABLES) {
        const partition = dayPartition(table, day * DAY_MS);
        if (!this.knownPartitions.has(partition.name)) {
          missing.push(partition);
        }
      }
    }
    if (missing.length > 0) {
      await this.partitions.create(missing);
      for (const partition of missing) {
        this.knownPartitions.add(partition.name);
      }
    }
  }

  private async resolveSeries(batches: readonly SeriesBatch[]): Promise<ResolvedBatch[]> {
    const keyed = batches.map((batch) => ({ batch, key: seriesKey(batch.labels) }));
    let unknown = keyed.filter(({ key }) => !this.seriesIds.has(key)).map(({ batch }) => batch);
    if (unknown.length > 0) {
      if (this.seriesIds.size + unknown.length > SERIES_CACHE_LIMIT) {
        this.seriesIds.clear();
        unknown = [...batches];
      }
      for (const record of await this.series.resolve(unknown.map((batch) => batch.labels))) {
        this.seriesIds.set(seriesKey(record.labels), record.id);
      }
    }
    return keyed.map(({ batch, key }) => {
      const seriesId = this.seriesIds.get(key);
      if (seriesId === undefined) {
        throw new Error(`series ${key} was not resolved`);
      }
      return { seriesId, samples: batch.samples, histograms: batch.histograms };
    });
  }
}
