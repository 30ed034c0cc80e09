import { Injectable } from '@nestjs/common';
import { DomainError } from '@strata/domain';
import { ExpositionSample } from '../prometheus/exposition-parser';
import { LabelDefaults } from '../prometheus/label-mapping';
import { PrometheusSeriesSamples, toSeriesBatches } from '../prometheus/prometheus-batches';
import { RemoteWriteRequest } from '../prometheus/remote-write';
import { IngestOutcome, IngestService, IntakePath } from './ingest.service';

export interface PrometheusIngestOutcome extends IngestOutcome {
  samplesSkippedNonFinite: number;
}

/** Maps Prometheus series onto Strata series (see label-mapping.ts) and stores them. */
@Injectable()
export class PrometheusIntakeService {
  constructor(private readonly ingest: IngestService) {}

  /** Lines without a timestamp are stamped with the time the request arrived. */
  ingestExposition(samples: readonly ExpositionSample[], defaults: LabelDefaults): Promise<PrometheusIngestOutcome> {
    const receivedAt = Date.now();
    return this.store(
      samples.map((sample) => ({
        labels: sample.labels,
        samples: [{ timestamp: sample.timestamp ?? receivedAt, value: sample.value }],
        path: `line ${sample.line}`,
      })),
      defaults,
      'prometheus-text',
    );
  }

  ingestRemoteWrite(request: RemoteWriteRequest, defaults: LabelDefaults): Promise<PrometheusIngestOutcome> {
    return this.store(
      request.timeseries.map((series, index) => ({
        labels: Object.fromEntries(series.labels.map((label) => [label.name, label.value])),
        samples: series.samples,
        path: `timeseries[${index}]`,
      })),
      defaults,
      'remote-write',
    );
  }

  private async store(series: PrometheusSeriesSamples[], defaults: LabelDefaults, intake: IntakePath): Promise<PrometheusIngestOutcome> {
    const converted = toSeriesBatches(series, defaults);
    if (!converted.ok) {
      throw DomainError.invalid(`the request was refused, nothing was stored: ${converted.violation.field}: ${converted.violation.message}`, [converted.violation]);
    }
    const outcome = await this.ingest.ingest(converted.batches, intake);
    return { ...outcome, samplesSkippedNonFinite: converted.skippedNonFinite };
  }
}
