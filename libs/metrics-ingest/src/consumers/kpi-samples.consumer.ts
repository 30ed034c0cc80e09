import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { KpiSamplesV1, Topics } from '@strata/contracts';
import { EventSubscriber } from '@strata/messaging';
import { SeriesBatch } from '../domain/series-batch';
import { IngestService } from '../services/ingest.service';

export function seriesBatchOf(data: KpiSamplesV1): SeriesBatch {
  return { labels: data.series, samples: data.samples, histograms: data.histograms ?? [], path: 'data' };
}

/** The consumer of `kpi.samples`; window publication reads how far its group has applied. */
export const KPI_SAMPLES_CONSUMER = 'kpi-samples';

/*
 * One transaction's fixed costs (inbox row, COPY set-up, rollup upsert, commit) amortised over
 * this many flushes: ≈ 50 000 samples when the gateway sends 1 000 per event, the size of a few
 * HTTP requests' writes.
 */
const EVENTS_PER_TRANSACTION = 50;
/** A gateway flush of 1 000 samples is about 40 kB of JSON. */
const FLUSH_BYTES = 48 * 1024;

/**
 * Gateway flushes and any other producer on `kpi.samples`. Events arrive validated against the
 * contract schema; the events a partition has ready are stored together in one inbox
 * transaction (one COPY), so a redelivered flush is stored once. A sample out of the accepted
 * range is a permanent failure: that event goes to the DLQ with the reason, the others of its
 * batch are stored (see EventSubscriber.subscribeBatch).
 */
@Injectable()
export class KpiSamplesConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly subscriber: EventSubscriber,
    private readonly ingest: IngestService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.subscriber.subscribeBatch(KPI_SAMPLES_CONSUMER, [Topics.kpiSamples], {
      type: 'io.strata.kpi.samples.v1',
      maxEvents: EVENTS_PER_TRANSACTION,
      maxBatchBytes: EVENTS_PER_TRANSACTION * FLUSH_BYTES,
      handle: async (events, manager) => {
        await this.ingest.ingest(
          events.map((event) => seriesBatchOf(event.data)),
          'bus',
          manager,
        );
      },
    });
  }
}
