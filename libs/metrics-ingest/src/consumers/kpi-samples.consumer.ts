import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { KpiSamplesV1, Topics } from '@strata/contracts';
import { EventSubscriber } from '@strata/messaging';
import { SeriesBatch } from '../domain/series-batch';
import { IngestService } from '../services/ingest.service';

export function seriesBatchOf(data: KpiSamplesV1): SeriesBatch {
  return { labels: data.series, samples: data.samples, histograms: data.histograms ?? [], path: 'data' };
}

/**
 * Gateway flushes and any other producer on `kpi.samples`. Events arrive validated against the
 * contract schema; each is stored in its inbox transaction, so a redelivered flush is stored once.
 * A sample out of the accepted range is a permanent failure: the event goes to the DLQ with the reason.
 */
@Injectable()
export class KpiSamplesConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly subscriber: EventSubscriber,
    private readonly ingest: IngestService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.subscriber.subscribe('kpi-samples', [Topics.kpiSamples], {
      'io.strata.kpi.samples.v1': async (event, manager) => {
        await this.ingest.ingest([seriesBatchOf(event.data)], 'bus', manager);
      },
    });
  }
}
