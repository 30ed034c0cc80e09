import { Body, Controller, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiConsumes, ApiOkResponse, ApiServiceUnavailableResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { SeriesBatch } from '../domain/series-batch';
import { IngestResultDto, IngestSamplesDto, PrometheusDefaultsDto, mapIngestOutcome } from '../dtos/ingest.dto';
import { ExpositionBodyPipe } from '../pipes/prometheus-body.pipes';
import { SamplesBodyPipe } from '../pipes/samples-body.pipe';
import { ExpositionSample } from '../prometheus/exposition-parser';
import { IngestService } from '../services/ingest.service';
import { PrometheusIntakeService } from '../services/prometheus-intake.service';
import { RequireRole } from '@strata/observability';

@ApiTags('samples')
@Controller('v1')
export class SamplesController {
  constructor(
    private readonly ingest: IngestService,
    private readonly prometheus: PrometheusIntakeService,
  ) {}

  @RequireRole('operator')
  @Post('samples')
  @HttpCode(200)
  @ApiOkResponse({ type: IngestResultDto, description: 'Every sample was stored or counted as a duplicate (the first written value stays)' })
  @ApiBadRequestResponse({ description: 'Malformed batch; `errors` names the first bad sample; nothing was stored' })
  @ApiUnprocessableEntityResponse({ description: 'A sample outside the accepted time range; nothing was stored' })
  @ApiServiceUnavailableResponse({ description: 'Intake is saturated; retry with backoff' })
  @ApiBody({ type: IngestSamplesDto })
  async samples(@Body(SamplesBodyPipe) batches: SeriesBatch[]): Promise<IngestResultDto> {
    return mapIngestOutcome(await this.ingest.ingest(batches, 'json'));
  }

  @RequireRole('operator')
  @Post('prometheus')
  @HttpCode(200)
  @ApiConsumes('text/plain')
  @ApiBody({ schema: { type: 'string', example: 'http_requests_total{stack="checkout",environment="production",job="api"} 1027 1764201600000' } })
  @ApiOkResponse({ type: IngestResultDto })
  @ApiBadRequestResponse({ description: 'A line is not exposition format 0.0.4; `errors` names it; nothing was stored' })
  @ApiUnprocessableEntityResponse({ description: 'A series lacks a Strata label (and no default was given) or a sample is out of range' })
  async exposition(@Body(ExpositionBodyPipe) samples: ExpositionSample[], @Query() defaults: PrometheusDefaultsDto): Promise<IngestResultDto> {
    return mapIngestOutcome(await this.prometheus.ingestExposition(samples, defaults));
  }
}

