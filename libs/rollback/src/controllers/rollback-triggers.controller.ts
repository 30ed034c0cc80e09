import { Body, Controller, Delete, Get, HttpCode, Param, Put, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Principal, RequireRole } from '@strata/observability';
import type { Response } from 'express';
import { PutRollbackTriggerDto, RollbackTriggerDto, TriggerFiringDto, mapFiring, mapTrigger } from '../dtos/rollback-trigger.dto';
import { RollbackTriggersService } from '../services/rollback-triggers.service';

@ApiTags('rollback-triggers')
@Controller('v1/stacks/:stack/environments/:environment')
export class RollbackTriggersController {
  constructor(private readonly triggers: RollbackTriggersService) {}

  @RequireRole('operator')
  @Put('rollback-triggers/:name')
  @ApiOkResponse({ type: RollbackTriggerDto, description: 'Replaced' })
  @ApiCreatedResponse({ type: RollbackTriggerDto, description: 'Created' })
  @ApiUnprocessableEntityResponse({ description: 'problem+json naming each invalid field' })
  async put(@Param('stack') stack: string, @Param('environment') environment: string, @Param('name') name: string, @Body() body: PutRollbackTriggerDto, @Principal() actor: string, @Res({ passthrough: true }) response: Response): Promise<RollbackTriggerDto> {
    const { trigger, created } = await this.triggers.put({ stack, environment, name }, { ...body }, actor);
    response.status(created ? 201 : 200);
    return mapTrigger(trigger);
  }

  @RequireRole('viewer')
  @Get('rollback-triggers')
  @ApiOkResponse({ type: [RollbackTriggerDto] })
  async list(@Param('stack') stack: string, @Param('environment') environment: string): Promise<RollbackTriggerDto[]> {
    return (await this.triggers.list(stack, environment)).map(mapTrigger);
  }

  @RequireRole('viewer')
  @Get('rollback-triggers/:name')
  @ApiOkResponse({ type: RollbackTriggerDto })
  @ApiNotFoundResponse()
  async get(@Param('stack') stack: string, @Param('environment') environment: string, @Param('name') name: string): Promise<RollbackTriggerDto> {
    return mapTrigger(await this.triggers.get(stack, environment, name));
  }

  @RequireRole('operator')
  @Delete('rollback-triggers/:name')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  async remove(@Param('stack') stack: string, @Param('environment') environment: string, @Param('name') name: string): Promise<void> {
    await this.triggers.remove(stack, environment, name);
  }

  @RequireRole('viewer')
  @Get('rollback-triggers/:name/firings')
  @ApiOkResponse({ type: [TriggerFiringDto], description: 'Newest first, dry runs included' })
  @ApiNotFoundResponse()
  async firingsOf(@Param('stack') stack: string, @Param('environment') environment: string, @Param('name') name: string): Promise<TriggerFiringDto[]> {
    return (await this.triggers.firings(stack, environment, name)).map(mapFiring);
  }

  @RequireRole('viewer')
  @Get('trigger-firings')
  @ApiOkResponse({ type: [TriggerFiringDto], description: "Every trigger's firings in the environment, newest first" })
  async firings(@Param('stack') stack: string, @Param('environment') environment: string): Promise<TriggerFiringDto[]> {
    return (await this.triggers.firings(stack, environment, undefined)).map(mapFiring);
  }
}
