import { Inject, Injectable, NestMiddleware, PayloadTooLargeException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { METRICS_INGEST_SETTINGS, MetricsIngestSettings } from '../config/metrics-ingest-settings';

/**
 * Reads the body as bytes. Express' raw parser cannot be used for remote write: it refuses the
 * `Content-Encoding: snappy` header Prometheus sends, because snappy is not an HTTP encoding it knows.
 */
@Injectable()
export class RawBodyMiddleware implements NestMiddleware {
  constructor(@Inject(METRICS_INGEST_SETTINGS) private readonly settings: MetricsIngestSettings) {}

  use(request: Request, _response: Response, next: NextFunction): void {
    if (request.readableEnded) {
      // A JSON or text body was already read by the app's parsers: waiting for 'end' would hang the request.
      next();
      return;
    }
    // Snappy never expands input by more than ~1/6, so the compressed limit follows from the decompressed one.
    const limit = this.settings.maxRemoteWriteBytes;
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit && !failed) {
        failed = true;
        request.pause();
        next(new PayloadTooLargeException(`request body exceeds ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!failed) {
        request.body = Buffer.concat(chunks);
        next();
      }
    });
    request.on('error', (error) => {
      if (!failed) {
        failed = true;
        next(error);
      }
    });
  }
}
