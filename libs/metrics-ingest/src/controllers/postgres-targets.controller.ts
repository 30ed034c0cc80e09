import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CollectorNameParamDto, CollectorPageQueryDto, nextCursorOf } from '../dtos/collector-status.dto';
import { CreatePostgresTargetDto, PostgresTargetPageDto, PostgresTargetResponseDto, mapPostgresTarget, toPostgresTargetDefinition } from '../dtos/postgres-target.dto';
import { PostgresTargetsService } from '../services/postgres-targets.service';
import { RequireRole } from '@strata/observability';

@ApiTags('postgres targets')
@Controller('v1/postgres-targets')
export class PostgresTargetsController {
  constructor(private readonly targets: PostgresTargetsService) {}

  @RequireRole('operator')
  @Post()
  @ApiCreatedResponse({ type: PostgresTargetResponseDto, description: 'Registered; its first scrape (the baseline) is due at once' })
  @ApiConflictResponse({ description: 'A target of that name exists' })
  async create(@Body() body: CreatePostgresTargetDto): Promise<PostgresTargetResponseDto> {
    return mapPostgresTarget(await this.targets.create(toPostgresTargetDefinition(body)));
  }

  @RequireRole('viewer')
  @Get()
  @ApiOkResponse({ type: PostgresTargetPageDto })
  async list(@Query() query: CollectorPageQueryDto): Promise<PostgresTargetPageDto> {
    const items = (await this.targets.list(query.limit, query.after)).map(mapPostgresTarget);
    return { items, nextCursor: nextCursorOf(items, query.limit) };
  }

  @RequireRole('viewer')
  @Get(':name')
  @ApiOkResponse({ type: PostgresTargetResponseDto, description: 'With its last scrape and last error' })
  @ApiNotFoundResponse()
  async get(@Param() params: CollectorNameParamDto): Promise<PostgresTargetResponseDto> {
    return mapPostgresTarget(await this.targets.get(params.name));
  }

  @RequireRole('operator')
  @Delete(':name')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Removed; the series it stored stay' })
  @ApiNotFoundResponse()
  remove(@Param() params: CollectorNameParamDto): Promise<void> {
    return this.targets.delete(params.name);
  }
}
