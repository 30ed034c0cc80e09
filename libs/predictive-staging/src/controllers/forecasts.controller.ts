import { Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiPreconditionFailedResponse, ApiTags } from '@nestjs/swagger';
import { ForecastPageDto, ForecastQueryDto, ForecastResponseDto, forecastFilterOf, mapForecast, mapForecastPage } from '../dtos/forecast.dto';
import { NumericIdParamDto, SeriesIdParamDto } from '../dtos/series-labels.dto';
import { ForecastingService } from '../services/forecasting.service';
import { PredictiveQueriesService } from '../services/predictive-queries.service';
import { RequireRole } from '@strata/observability';

@ApiTags('forecasts')
@Controller('v1')
export class ForecastsController {
  constructor(
    private readonly queries: PredictiveQueriesService,
    private readonly forecasting: ForecastingService,
  ) {}

  @RequireRole('viewer')
  @Get('forecasts')
  @ApiOkResponse({ type: ForecastPageDto, description: 'Newest first' })
  @ApiBadRequestResponse({ description: 'A bad filter, named in errors[].field' })
  async search(@Query() query: ForecastQueryDto): Promise<ForecastPageDto> {
    return mapForecastPage(await this.queries.searchForecasts(forecastFilterOf(query), query.limit, query.after));
  }

  @RequireRole('viewer')
  @Get('forecasts/:id')
  @ApiOkResponse({ type: ForecastResponseDto })
  @ApiNotFoundResponse()
  async get(@Param() params: NumericIdParamDto): Promise<ForecastResponseDto> {
    return mapForecast(await this.queries.forecast(params.id));
  }

  @RequireRole('viewer')
  @Get('series/:seriesId/forecast')
  @ApiOkResponse({ type: ForecastResponseDto, description: 'The newest forecast of the series' })
  @ApiNotFoundResponse({ description: 'The series has not been forecast yet' })
  async latest(@Param() params: SeriesIdParamDto): Promise<ForecastResponseDto> {
    return mapForecast(await this.queries.latestForecast(params.seriesId));
  }

  @RequireRole('operator')
  @Post('series/:seriesId/forecasts')
  @ApiCreatedResponse({ type: ForecastResponseDto, description: 'Forecast now (trains an LSTM in a worker thread when none is fresh), stored and published' })
  @ApiNotFoundResponse({ description: 'No KPI window of this series has arrived' })
  @ApiPreconditionFailedResponse({ description: 'Too little history yet; the detail says how much is needed' })
  async forecastNow(@Param() params: SeriesIdParamDto): Promise<ForecastResponseDto> {
    return mapForecast(await this.forecasting.forecast(params.seriesId));
  }
}
