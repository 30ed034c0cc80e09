import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiPreconditionFailedResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Principal, RequireRole, UuidParamDto } from '@strata/observability';
import { AbortRolloutDto, CreateRolloutDto, PromoteRolloutDto, RolloutListQueryDto, RolloutResponseDto, RolloutTransitionDto, UndoRolloutDto, mapRollout, mapRolloutTransition } from '../dtos/rollout.dto';
import { RolloutsService } from '../services/rollouts.service';

@ApiTags('rollouts')
@Controller('v1')
export class RolloutsController {
  constructor(private readonly rollouts: RolloutsService) {}

  @RequireRole('operator')
  @Post('stacks/:stack/rollouts')
  @ApiCreatedResponse({ type: RolloutResponseDto, description: 'Created and started: its first steps have run' })
  @ApiUnprocessableEntityResponse({ description: 'An invalid spec (each field named) or a canary not deployed to the environment' })
  @ApiConflictResponse({ description: 'The name is taken, or another rollout is active in the environment' })
  async create(@Param('stack') stack: string, @Body() body: CreateRolloutDto, @Principal() actor: string): Promise<RolloutResponseDto> {
    return mapRollout(await this.rollouts.create({ stack, name: body.name, spec: body.spec }, actor));
  }

  @RequireRole('viewer')
  @Get('rollouts')
  @ApiOkResponse({ type: [RolloutResponseDto], description: 'Newest first' })
  async list(@Query() query: RolloutListQueryDto): Promise<RolloutResponseDto[]> {
    return (await this.rollouts.list({ ...(query.stack ? { stack: query.stack } : {}), ...(query.environment ? { environment: query.environment } : {}) }, query.limit)).map(mapRollout);
  }

  @RequireRole('viewer')
  @Get('rollouts/:id')
  @ApiOkResponse({ type: RolloutResponseDto })
  @ApiNotFoundResponse()
  async get(@Param() { id }: UuidParamDto): Promise<RolloutResponseDto> {
    return mapRollout(await this.rollouts.get(id));
  }

  @RequireRole('viewer')
  @Get('rollouts/:id/transitions')
  @ApiOkResponse({ type: [RolloutTransitionDto], description: 'Every transition, oldest first' })
  @ApiNotFoundResponse()
  async transitions(@Param() { id }: UuidParamDto): Promise<RolloutTransitionDto[]> {
    return (await this.rollouts.transitions(id)).map(mapRolloutTransition);
  }

  @RequireRole('operator')
  @Post('rollouts/:id/promote')
  @HttpCode(200)
  @ApiNotFoundResponse()
  @ApiOkResponse({ type: RolloutResponseDto })
  @ApiConflictResponse({ description: 'Not allowed in the current phase (named)' })
  async promote(@Param() { id }: UuidParamDto, @Body() body: PromoteRolloutDto, @Principal() actor: string): Promise<RolloutResponseDto> {
    return mapRollout(await this.rollouts.command(id, { kind: 'promote', full: body.full ?? false }, actor));
  }

  @RequireRole('operator')
  @Post('rollouts/:id/pause')
  @HttpCode(200)
  @ApiNotFoundResponse()
  @ApiOkResponse({ type: RolloutResponseDto })
  @ApiConflictResponse({ description: 'Not allowed in the current phase (named)' })
  async pause(@Param() { id }: UuidParamDto, @Principal() actor: string): Promise<RolloutResponseDto> {
    return mapRollout(await this.rollouts.command(id, { kind: 'pause' }, actor));
  }

  @RequireRole('operator')
  @Post('rollouts/:id/resume')
  @HttpCode(200)
  @ApiNotFoundResponse()
  @ApiOkResponse({ type: RolloutResponseDto })
  @ApiConflictResponse({ description: 'Not allowed in the current phase (named)' })
  async resume(@Param() { id }: UuidParamDto, @Principal() actor: string): Promise<RolloutResponseDto> {
    return mapRollout(await this.rollouts.command(id, { kind: 'resume' }, actor));
  }

  @RequireRole('operator')
  @Post('rollouts/:id/abort')
  @HttpCode(200)
  @ApiNotFoundResponse()
  @ApiOkResponse({ type: RolloutResponseDto, description: 'Canary weight back to 0; rolled-back once gateways apply it' })
  @ApiConflictResponse({ description: 'Not allowed in the current phase (named)' })
  async abort(@Param() { id }: UuidParamDto, @Body() body: AbortRolloutDto, @Principal() actor: string): Promise<RolloutResponseDto> {
    return mapRollout(await this.rollouts.command(id, { kind: 'abort', reason: body.reason ?? `aborted by ${actor}` }, actor));
  }

  @RequireRole('operator')
  @Post('rollouts/:id/undo')
  @HttpCode(200)
  @ApiNotFoundResponse()
  @ApiOkResponse({ type: RolloutResponseDto, description: 'All traffic back on the stable config the promoted canary replaced, in one policy change; the rollout ends rolled back' })
  @ApiConflictResponse({ description: 'Not promoted, not the rollout promoted last, or the policy moved on since (named)' })
  @ApiPreconditionFailedResponse({ description: 'The policy no longer lists the previous stable config' })
  async undo(@Param() { id }: UuidParamDto, @Body() body: UndoRolloutDto, @Principal() actor: string): Promise<RolloutResponseDto> {
    return mapRollout(await this.rollouts.undo(id, body.reason ?? `undone by ${actor}`, actor));
  }
}
