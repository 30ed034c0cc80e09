import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { RangeQueryDto, RangeResponseDto, SeriesIdParamDto, SeriesPageDto, SeriesResponseDto, SeriesSearchQueryDto, mapRange, mapSeries } from '../dtos/series.dto';
import { SeriesQueryService } from '../services/series-query.service';

@ApiTags('series')
@Controller('v1/series')
export class SeriesController {
  constructor(private readonly queries: SeriesQueryService) {}

  @Get()
  @ApiOkResponse({ type: SeriesPageDto })
  async search(@Query() query: SeriesSearchQueryDto): Promise<SeriesPageDto> {
    const page = await this.queries.search(query, query.limit, query.after);
    return { items: page.items.map(mapSeries), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: SeriesResponseDto })
  @ApiNotFoundResponse()
  async get(@Param() params: SeriesIdParamDto): Promise<SeriesResponseDto> {
    return mapSeries(await this.queries.get(params.id));
  }

  @Get(':id/range')
  @ApiOkResponse({ type: RangeResponseDto })
  @ApiNotFoundResponse()
  @ApiUnprocessableEntityResponse({ description: 'Too many steps or raw samples for one query' })
  async range(@Param() params: SeriesIdParamDto, @Query() query: RangeQueryDto): Promise<RangeResponseDto> {
    return mapRange(await this.queries.range(params.id, query), query);
  }
}
