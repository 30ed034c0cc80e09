import { Body, Controller, Delete, Get, Param, ParseEnumPipe, Post, Put, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Principal, RequireRole } from '@strata/observability';
import {
  HistoryQueryDto,
  RecordDeploymentDto,
  SetStatusDto,
  VersionMapEntryDto,
  VersionMapChangeResponseDto,
  VersionMapResponseDto,
  mapVersionMap,
  mapVersionMapChange,
} from '../dtos/version-map.dto';
import { VersionMapLocation } from '../entities/version-map-entry.entity';
import { VersionMapService } from '../services/version-map.service';

enum Location {
  Staging = 'staging',
  Production = 'production',
}

@ApiTags('version map')
@Controller('v1')
export class VersionMapController {
  constructor(private readonly versionMap: VersionMapService) {}

  @RequireRole('operator')
  @Post('environments/:environment/deployments')
  @ApiCreatedResponse({ type: VersionMapResponseDto, description: 'The version map of the environment after the deployment' })
  @ApiConflictResponse({ description: 'The group no longer fits what is deployed' })
  async record(@Param('environment') environment: string, @Body() body: RecordDeploymentDto, @Principal() actor: string): Promise<VersionMapResponseDto> {
    await this.versionMap.record({ ...body, environment }, actor);
    return mapVersionMap(await this.versionMap.view(body.stack, environment));
  }

  @RequireRole('viewer')
  @Get('stacks/:stack/environments/:environment/version-map')
  @ApiOkResponse({ type: VersionMapResponseDto })
  @ApiNotFoundResponse()
  async view(@Param('stack') stack: string, @Param('environment') environment: string): Promise<VersionMapResponseDto> {
    return mapVersionMap(await this.versionMap.view(stack, environment));
  }

  @RequireRole('viewer')
  @Get('stacks/:stack/environments/:environment/version-map/history')
  @ApiOkResponse({ type: [VersionMapChangeResponseDto], description: 'Newest first' })
  async history(@Param('stack') stack: string, @Param('environment') environment: string, @Query() query: HistoryQueryDto): Promise<VersionMapChangeResponseDto[]> {
    return (await this.versionMap.history(stack, environment, query.limit)).map(mapVersionMapChange);
  }

  @RequireRole('operator')
  @Delete('stacks/:stack/environments/:environment/version-map/:location/groups/:versionGroup')
  @ApiOkResponse({ type: VersionMapResponseDto, description: 'The version map after the group was retired: its versions are no longer expected there' })
  @ApiNotFoundResponse({ description: 'The group is not deployed there (or already retired)' })
  async retire(
    @Param('stack') stack: string,
    @Param('environment') environment: string,
    @Param('location', new ParseEnumPipe(Location)) location: VersionMapLocation,
    @Param('versionGroup') versionGroup: string,
    @Principal() actor: string,
  ): Promise<VersionMapResponseDto> {
    await this.versionMap.retire(stack, environment, location, versionGroup, actor);
    return mapVersionMap(await this.versionMap.view(stack, environment));
  }

  @RequireRole('operator')
  @Put('stacks/:stack/environments/:environment/version-map/:location/:component/status')
  @ApiOkResponse({ type: VersionMapEntryDto })
  async setStatus(
    @Param('stack') stack: string,
    @Param('environment') environment: string,
    @Param('location', new ParseEnumPipe(Location)) location: VersionMapLocation,
    @Param('component') component: string,
    @Body() body: SetStatusDto,
    @Principal() actor: string,
  ): Promise<VersionMapEntryDto> {
    await this.versionMap.setStatus(stack, environment, location, component, body.status, actor, body.reason);
    const view = await this.versionMap.view(stack, environment);
    return mapVersionMap({ ...view, slots: view.slots.filter((slot) => slot.location === location && slot.component.name === component) }).slots[0] as VersionMapEntryDto;
  }
}
