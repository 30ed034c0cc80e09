import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Principal, RequireRole } from '@strata/observability';
import { CreateTrafficRuleDto, TrafficRuleResponseDto, mapTrafficRule } from '../dtos/traffic-rule.dto';
import { TrafficRulesService } from '../services/traffic-rules.service';

@ApiTags('traffic rules')
@Controller('v1/stacks/:stack/environments/:environment/traffic-rules')
export class TrafficRulesController {
  constructor(private readonly rules: TrafficRulesService) {}

  @RequireRole('operator')
  @Post()
  @ApiCreatedResponse({ type: TrafficRuleResponseDto })
  @ApiNotFoundResponse({ description: 'No stack or environment of that name has reached routing-control' })
  @ApiUnprocessableEntityResponse({ description: 'problem+json naming each invalid field' })
  @ApiConflictResponse({ description: 'A rule of that name exists' })
  async create(@Param('stack') stack: string, @Param('environment') environment: string, @Body() body: CreateTrafficRuleDto, @Principal() actor: string): Promise<TrafficRuleResponseDto> {
    return mapTrafficRule(await this.rules.create(stack, environment, { ...body }, actor));
  }

  @RequireRole('viewer')
  @Get()
  @ApiOkResponse({ type: [TrafficRuleResponseDto] })
  async list(@Param('stack') stack: string, @Param('environment') environment: string): Promise<TrafficRuleResponseDto[]> {
    return (await this.rules.list(stack, environment)).map(mapTrafficRule);
  }

  @RequireRole('operator')
  @Delete(':name')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  remove(@Param('stack') stack: string, @Param('environment') environment: string, @Param('name') name: string): Promise<void> {
    return this.rules.delete(stack, environment, name);
  }
}
