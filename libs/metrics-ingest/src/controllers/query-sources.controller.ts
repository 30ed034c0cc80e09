import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CollectorNameParamDto, CollectorPageQueryDto, nextCursorOf } from '../dtos/collector-status.dto';
import { CreateQuerySourceDto, QuerySourcePageDto, QuerySourceResponseDto, mapQuerySource, toQuerySourceDefinition } from '../dtos/query-source.dto';
import { QuerySourcesService } from '../services/query-sources.service';
import { RequireRole } from '@strata/observability';

@ApiTags('query sources')
@Controller('v1/query-sources')
export class QuerySourcesController {
  constructor(private readonly sources: QuerySourcesService) {}

  @RequireRole('operator')
  @Post()
  @ApiCreatedResponse({ type: QuerySourceResponseDto, description: 'Registered; its first run is due at once' })
  @ApiConflictResponse({ description: 'A query source of that name exists' })
  async create(@Body() body: CreateQuerySourceDto): Promise<QuerySourceResponseDto> {
    return mapQuerySource(await this.sources.create(toQuerySourceDefinition(body)));
  }

  @RequireRole('viewer')
  @Get()
  @ApiOkResponse({ type: QuerySourcePageDto })
  async list(@Query() query: CollectorPageQueryDto): Promise<QuerySourcePageDto> {
    const items = (await this.sources.list(query.limit, query.after)).map(mapQuerySource);
    return { items, nextCursor: nextCursorOf(items, query.limit) };
  }

  @RequireRole('viewer')
  @Get(':name')
  @ApiOkResponse({ type: QuerySourceResponseDto, description: 'With its cursor, last run and last error' })
  @ApiNotFoundResponse()
  async get(@Param() params: CollectorNameParamDto): Promise<QuerySourceResponseDto> {
    return mapQuerySource(await this.sources.get(params.name));
  }

  @RequireRole('operator')
  @Delete(':name')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Removed; the series it stored stay' })
  @ApiNotFoundResponse()
  remove(@Param() params: CollectorNameParamDto): Promise<void> {
    return this.sources.delete(params.name);
  }
}
