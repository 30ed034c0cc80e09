import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AnomalyPageDto, AnomalyQueryDto, AnomalyResponseDto, anomalyFilterOf, mapAnomaly, mapAnomalyPage } from '../dtos/anomaly.dto';
import { NumericIdParamDto } from '../dtos/series-labels.dto';
import { PredictiveQueriesService } from '../services/predictive-queries.service';
import { RequireRole } from '@strata/observability';

@ApiTags('anomalies')
@Controller('v1/anomalies')
export class AnomaliesController {
  constructor(private readonly queries: PredictiveQueriesService) {}

  @RequireRole('viewer')
  @Get()
  @ApiOkResponse({ type: AnomalyPageDto, description: 'Newest first' })
  @ApiBadRequestResponse({ description: 'A bad filter, named in errors[].field' })
  async search(@Query() query: AnomalyQueryDto): Promise<AnomalyPageDto> {
    return mapAnomalyPage(await this.queries.searchAnomalies(anomalyFilterOf(query), query.limit, query.after));
  }

  @RequireRole('viewer')
  @Get(':id')
  @ApiOkResponse({ type: AnomalyResponseDto })
  @ApiNotFoundResponse()
  async get(@Param() params: NumericIdParamDto): Promise<AnomalyResponseDto> {
    return mapAnomaly(await this.queries.anomaly(params.id));
  }
}
