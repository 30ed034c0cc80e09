import { Body, Controller, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConsumes, ApiNoContentResponse, ApiServiceUnavailableResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { PrometheusDefaultsDto } from '../dtos/ingest.dto';
import { RemoteWriteBodyPipe } from '../pipes/prometheus-body.pipes';
import { RemoteWriteRequest } from '../prometheus/remote-write';
import { PrometheusIntakeService } from '../services/prometheus-intake.service';
import { RequireRole } from '@strata/observability';

/** Prometheus remote-write 1.0 receiver: point a Prometheus `remote_write` url here. */
@ApiTags('prometheus')
@Controller('api/v1/write')
export class RemoteWriteController {
  constructor(private readonly prometheus: PrometheusIntakeService) {}

  @RequireRole('operator')
  @Post()
  @HttpCode(204)
  @ApiConsumes('application/x-protobuf')
  @ApiNoContentResponse({ description: 'Stored (duplicates and non-finite values are counted in strata_metrics_ingest_samples_total)' })
  @ApiBadRequestResponse({ description: 'Not a snappy-compressed WriteRequest; Prometheus does not retry 4xx' })
  @ApiUnprocessableEntityResponse({ description: 'A series lacks a Strata label and no default was given; `errors` names it' })
  @ApiServiceUnavailableResponse({ description: 'Intake is saturated; Prometheus retries 5xx with backoff' })
  async write(@Body(RemoteWriteBodyPipe) request: RemoteWriteRequest, @Query() defaults: PrometheusDefaultsDto): Promise<void> {
    await this.prometheus.ingestRemoteWrite(request, defaults);
  }
}
