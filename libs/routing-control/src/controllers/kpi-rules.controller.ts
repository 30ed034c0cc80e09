import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Principal, RequireRole } from '@strata/observability';
import { CreateKpiRuleDto, KpiRuleResponseDto, mapKpiRule } from '../dtos/kpi-rule.dto';
import { KpiRulesService } from '../services/kpi-rules.service';

@ApiTags('kpi rules')
@Controller('v1/stacks/:stack/environments/:environment/kpi-rules')
export class KpiRulesController {
  constructor(private readonly rules: KpiRulesService) {}

  @RequireRole('operator')
  @Post()
  @ApiCreatedResponse({ type: KpiRuleResponseDto })
  @ApiUnprocessableEntityResponse({ description: 'problem+json naming each invalid field' })
  @ApiConflictResponse({ description: 'A rule of that name exists' })
  async create(@Param('stack') stack: string, @Param('environment') environment: string, @Body() body: CreateKpiRuleDto, @Principal() actor: string): Promise<KpiRuleResponseDto> {
    return mapKpiRule(await this.rules.create(stack, environment, { ...body }, actor));
  }

  @RequireRole('viewer')
  @Get()
  @ApiOkResponse({ type: [KpiRuleResponseDto] })
  async list(@Param('stack') stack: string, @Param('environment') environment: string): Promise<KpiRuleResponseDto[]> {
    return (await this.rules.list(stack, environment)).map(mapKpiRule);
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
