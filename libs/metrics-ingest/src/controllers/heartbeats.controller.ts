import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { RecordHeartbeatDto, toNodeHeartbeat } from '../dtos/heartbeat.dto';
import { IngestResultDto, mapIngestOutcome } from '../dtos/ingest.dto';
import { HeartbeatsService } from '../services/heartbeats.service';
import { RequireRole } from '@strata/observability';

@ApiTags('samples')
@Controller('v1/heartbeats')
export class HeartbeatsController {
  constructor(private readonly heartbeats: HeartbeatsService) {}

  @RequireRole('operator')
  @Post()
  @HttpCode(200)
  @ApiOkResponse({ type: IngestResultDto, description: 'One sample per resource figure stored (or counted as a duplicate)' })
  @ApiUnprocessableEntityResponse({ description: 'A resource figure is not a finite number or badly named, or the timestamp is out of range; nothing was stored' })
  @ApiServiceUnavailableResponse({ description: 'Intake is saturated; retry with backoff' })
  async record(@Body() body: RecordHeartbeatDto): Promise<IngestResultDto> {
    return mapIngestOutcome(await this.heartbeats.record(toNodeHeartbeat(body, Date.now())));
  }
}
