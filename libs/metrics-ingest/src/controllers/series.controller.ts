import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { RangeQueryDto, RangeResponseDto, SeriesIdParamDto, SeriesPageDto, SeriesResponseDto, SeriesSearchQueryDto, mapRange, mapSeries } from '../dtos/series.dto';
import { SeriesQueryService } from '../services/series-query.service';
import { RequireRole } from '@strata/observability';

@ApiTags('series')
@Controller('v1/series')
export class SeriesController {
  constructor(private readonly queries: SeriesQueryService) {}

  @RequireRole('viewer')
  @Get()
  @ApiOkResponse({ type: SeriesPageDto })
  async search(@Query() query: SeriesSearchQueryDto): Promise<SeriesPageDto> {
    const page = await this.queries.search(query, query.limit, query.after);
    return { items: page.items.map(mapSeries), nextCursor: page.nextCursor };
  }

  @RequireRole('viewer')
  @Get(':id')
  @ApiOkResponse({ type: SeriesResponseDto })
  @ApiNotFoundResponse()
  async get(@Param() params: SeriesIdParamDto): Promise<SeriesResponseDto> {
    return mapSeries(await this.queries.get(params.id));
  }

  @RequireRole('viewer')
  @Get(':id/range')
  @ApiOkResponse({ type: RangeResponseDto })
  @ApiNotFoundResponse()
  @ApiUnprocessableEntityResponse({ description: 'Too many steps or raw samples for one query' })
  async range(@Param() params: SeriesIdParamDto, @Query() query: RangeQueryDto): Promise<RangeResponseDto> {
    return mapRange(await this.queries.range(params.id, query), query);
  }
}
