import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Principal, RequireRole } from '@strata/observability';
import type { Response } from 'express';
import { ComponentPageDto, ComponentQueryDto, ComponentResponseDto, ComponentVersionResponseDto, CreateComponentDto, RegisterComponentVersionDto, mapComponent, mapComponentVersion } from '../dtos/component.dto';
import { ComponentsService } from '../services/components.service';

@ApiTags('components')
@Controller('v1/components')
export class ComponentsController {
  constructor(private readonly components: ComponentsService) {}

  @RequireRole('operator')
  @Post()
  @ApiCreatedResponse({ type: ComponentResponseDto })
  @ApiConflictResponse({ description: 'A component with this name exists' })
  @ApiUnprocessableEntityResponse({ description: 'Unknown type or bad name' })
  async create(@Body() body: CreateComponentDto): Promise<ComponentResponseDto> {
    return mapComponent(await this.components.createComponent(body));
  }

  @RequireRole('viewer')
  @Get()
  @ApiOkResponse({ type: ComponentPageDto })
  async list(@Query() query: ComponentQueryDto): Promise<ComponentPageDto> {
    const result = await this.components.pageComponents(query.stack, query.limit, query.after);
    return { items: result.items.map(mapComponent), nextCursor: result.nextCursor };
  }

  @RequireRole('viewer')
  @Get(':component')
  @ApiOkResponse({ type: ComponentResponseDto })
  @ApiNotFoundResponse()
  async get(@Param('component') component: string): Promise<ComponentResponseDto> {
    return mapComponent(await this.components.getComponent(component));
  }

  @RequireRole('operator')
  @Post(':component/versions')
  @HttpCode(201)
  @ApiCreatedResponse({ type: ComponentVersionResponseDto, description: 'Registered' })
  @ApiOkResponse({ type: ComponentVersionResponseDto, description: 'Already registered with the same content' })
  @ApiConflictResponse({ description: 'Same version with different content, or breaking changes without a major bump (each listed)' })
  @ApiUnprocessableEntityResponse({ description: 'Invalid fields, each named' })
  async register(
    @Param('component') component: string,
    @Body() body: RegisterComponentVersionDto,
    @Principal() actor: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ComponentVersionResponseDto> {
    const registration = await this.components.registerVersion(component, body, actor);
    response.status(registration.created ? 201 : 200);
    return mapComponentVersion(registration.version);
  }

  @RequireRole('viewer')
  @Get(':component/versions')
  @ApiOkResponse({ type: [ComponentVersionResponseDto], description: 'Newest first' })
  async versions(@Param('component') component: string): Promise<ComponentVersionResponseDto[]> {
    return (await this.components.listVersions(component)).map(mapComponentVersion);
  }

  @RequireRole('viewer')
  @Get(':component/versions/:version')
  @ApiOkResponse({ type: ComponentVersionResponseDto })
  @ApiNotFoundResponse()
  async version(@Param('component') component: string, @Param('version') version: string): Promise<ComponentVersionResponseDto> {
    return mapComponentVersion(await this.components.getVersion(component, version));
  }
}
