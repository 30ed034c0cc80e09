import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Principal, RequireRole } from '@strata/observability';
import { CompatibilityRequestDto, CompatibilityResponseDto, CreateVersionGroupDto, VersionGroupResponseDto, mapCompatibility, mapVersionGroup } from '../dtos/version-map.dto';
import { VersionGroupsService } from '../services/version-groups.service';

@ApiTags('version groups')
@Controller('v1')
export class VersionGroupsController {
  constructor(private readonly groups: VersionGroupsService) {}

  @RequireRole('operator')
  @Post('stacks/:stack/version-groups')
  @ApiCreatedResponse({ type: VersionGroupResponseDto })
  @ApiNotFoundResponse({ description: 'No such stack, or no such environment in it' })
  @ApiConflictResponse({ description: 'Members and what stays deployed do not satisfy each other; each conflict explained' })
  @ApiUnprocessableEntityResponse({ description: 'A member is not registered or belongs to another stack' })
  async create(@Param('stack') stack: string, @Body() body: CreateVersionGroupDto, @Principal() actor: string): Promise<VersionGroupResponseDto> {
    return mapVersionGroup(await this.groups.create({ stack, ...body }, actor));
  }

  @RequireRole('viewer')
  @Get('stacks/:stack/version-groups')
  @ApiOkResponse({ type: [VersionGroupResponseDto] })
  async list(@Param('stack') stack: string): Promise<VersionGroupResponseDto[]> {
    return (await this.groups.list(stack)).map(mapVersionGroup);
  }

  @RequireRole('viewer')
  @Get('stacks/:stack/version-groups/:group')
  @ApiOkResponse({ type: VersionGroupResponseDto })
  @ApiNotFoundResponse()
  async get(@Param('stack') stack: string, @Param('group') group: string): Promise<VersionGroupResponseDto> {
    return mapVersionGroup(await this.groups.get(stack, group));
  }

  // A question, not a change: whoever may read the registry may ask it.
  @RequireRole('viewer')
  @Post('compatibility')
  @HttpCode(200)
  @ApiOkResponse({ type: CompatibilityResponseDto, description: 'yes, no (with reasons) or unknown (with what is missing)' })
  @ApiNotFoundResponse({ description: 'No such stack, or no such environment in it' })
  @ApiUnprocessableEntityResponse({ description: 'A member is not registered or belongs to another stack (each named)' })
  async compatibility(@Body() body: CompatibilityRequestDto): Promise<CompatibilityResponseDto> {
    return mapCompatibility(await this.groups.compatibility(body));
  }
}
