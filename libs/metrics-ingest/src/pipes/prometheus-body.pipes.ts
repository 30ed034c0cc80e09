import { Inject, Injectable, PipeTransform } from '@nestjs/common';
import { RequestValidationException } from '@strata/observability';
import { METRICS_INGEST_SETTINGS, MetricsIngestSettings } from '../config/metrics-ingest-settings';
import { ExpositionSample, ExpositionSyntaxError, parseExposition } from '../prometheus/exposition-parser';
import { RemoteWriteDecodeError, RemoteWriteRequest, decodeRemoteWrite } from '../prometheus/remote-write';

/** Parses a text exposition body; a syntax error is a 400 naming the line. */
@Injectable()
export class ExpositionBodyPipe implements PipeTransform<unknown, ExpositionSample[]> {
  transform(body: unknown): ExpositionSample[] {
    if (typeof body !== 'string') {
      throw new RequestValidationException([{ field: 'body', message: 'must be Prometheus text exposition (Content-Type: text/plain; version=0.0.4)' }]);
    }
    try {
      return parseExposition(body);
    } catch (error) {
      if (error instanceof ExpositionSyntaxError) {
        throw new RequestValidationException([{ field: `line ${error.line}`, message: error.reason }]);
      }
      throw error;
    }
  }
}

/** Decodes a remote-write body (snappy + protobuf); anything else is a 400. */
@Injectable()
export class RemoteWriteBodyPipe implements PipeTransform<unknown, RemoteWriteRequest> {
  constructor(@Inject(METRICS_INGEST_SETTINGS) private readonly settings: MetricsIngestSettings) {}

  transform(body: unknown): RemoteWriteRequest {
    if (!Buffer.isBuffer(body) || body.length === 0) {
      throw new RequestValidationException([{ field: 'body', message: 'must be a snappy-compressed protobuf WriteRequest (Content-Type: application/x-protobuf)' }]);
    }
    try {
      return decodeRemoteWrite(body, this.settings.maxRemoteWriteBytes);
    } catch (error) {
      if (error instanceof RemoteWriteDecodeError) {
        throw new RequestValidationException([{ field: 'body', message: error.message }]);
      }
      throw error;
    }
  }
}
