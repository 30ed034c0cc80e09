import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Principal, RequireRole, UuidParamDto } from '@strata/observability';
import type { Response } from 'express';
import { DeployRequestDto, DryRunDto, ExecutionDto, ExecutionListQueryDto, ExecutionPageDto, RollbackRequestDto, StopExecutionDto, decodeExecutionCursor, encodeExecutionCursor, mapExecution } from '../dtos/execution.dto';
import { ExecutionRequestOutcome, ExecutionsService } from '../services/executions.service';

@ApiTags('executions')
@Controller('v1')
export class ExecutionsController {
  constructor(private readonly executions: ExecutionsService) {}

  @RequireRole('operator')
  @Post('stacks/:stack/environments/:environment/deploy')
  @ApiAcceptedResponse({ type: ExecutionDto, description: 'A forward execution started: members in dependency order, traffic last' })
  @ApiOkResponse({ type: DryRunDto, description: 'dryRun: the plan; nothing changed' })
  @ApiUnprocessableEntityResponse({
    description:
      'An unknown group or a member the rollback service has not learnt yet (problem type not-yet-known: the registry\'s event may still be on its way, ask again), a target variable not set (each field named)',
  })
  @ApiConflictResponse({ description: 'Another execution holds the stack and environment (named)' })
  async deploy(@Param('stack') stack: string, @Param('environment') environment: string, @Body() body: DeployRequestDto, @Principal() actor: string, @Res({ passthrough: true }) response: Response): Promise<ExecutionDto | DryRunDto> {
    return answer(await this.executions.deploy({ stack, environment, versionGroup: body.versionGroup, dryRun: body.dryRun ?? false, ...(body.canary ? { canary: body.canary } : {}) }, actor), response);
  }

  @RequireRole('operator')
  @Post('stacks/:stack/environments/:environment/rollback')
  @ApiAcceptedResponse({ type: ExecutionDto, description: 'A backward execution started: traffic first, the schema last' })
  @ApiOkResponse({ type: DryRunDto, description: 'dryRun: the plan; nothing changed' })
  @ApiUnprocessableEntityResponse({ description: 'Nothing to roll back to, or an unknown group (the field named)' })
  @ApiConflictResponse({ description: 'Another execution holds the stack and environment (named)' })
  async rollback(@Param('stack') stack: string, @Param('environment') environment: string, @Body() body: RollbackRequestDto, @Principal() actor: string, @Res({ passthrough: true }) response: Response): Promise<ExecutionDto | DryRunDto> {
    return answer(await this.executions.rollback({ stack, environment, ...(body.to ? { to: body.to } : {}), dryRun: body.dryRun ?? false, ...(body.reason ? { reason: body.reason } : {}) }, actor), response);
  }

  @RequireRole('viewer')
  @Get('executions')
  @ApiOkResponse({ type: ExecutionPageDto, description: 'Newest first' })
  async list(@Query() query: ExecutionListQueryDto): Promise<ExecutionPageDto> {
    const page = await this.executions.list({ stack: query.stack, environment: query.environment, status: query.status }, query.limit, query.after ? decodeExecutionCursor(query.after) : undefined);
    const last = page.at(-1);
    return { items: page.map(mapExecution), nextCursor: last && page.length === query.limit ? encodeExecutionCursor(last) : null };
  }

  @RequireRole('viewer')
  @Get('executions/:id')
  @ApiOkResponse({ type: ExecutionDto })
  @ApiNotFoundResponse()
  async get(@Param() { id }: UuidParamDto): Promise<ExecutionDto> {
    return mapExecution(await this.executions.get(id));
  }

  @RequireRole('operator')
  @Post('executions/:id/retry')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiNotFoundResponse()
  @ApiAcceptedResponse({ type: ExecutionDto, description: 'Running again from its failed step' })
  @ApiConflictResponse({ description: 'Only a failed execution is retried' })
  async retry(@Param() { id }: UuidParamDto): Promise<ExecutionDto> {
    return mapExecution(await this.executions.retry(id));
  }

  @RequireRole('operator')
  @Post('executions/:id/stop')
  @HttpCode(HttpStatus.OK)
  @ApiNotFoundResponse()
  @ApiOkResponse({ type: ExecutionDto, description: 'Failed at its current step (stopped by whom, and why); a canary rollout it follows is asked to abort. Retry or abandon it next' })
  @ApiConflictResponse({ description: 'Only a running execution is stopped; one applying a step right now: try again' })
  @ApiBody({ type: StopExecutionDto, required: false })
  async stop(@Param() { id }: UuidParamDto, @Body() body: StopExecutionDto, @Principal() actor: string): Promise<ExecutionDto> {
    return mapExecution(await this.executions.stop(id, actor, body.reason));
  }

  @RequireRole('operator')
  @Post('executions/:id/abandon')
  @HttpCode(HttpStatus.OK)
  @ApiNotFoundResponse()
  @ApiOkResponse({ type: ExecutionDto, description: 'Given up: what it applied stays applied' })
  @ApiConflictResponse({ description: 'Only a failed or pending execution is abandoned' })
  async abandon(@Param() { id }: UuidParamDto): Promise<ExecutionDto> {
    return mapExecution(await this.executions.abandon(id));
  }
}

/** 202 with the execution that started, or 200 with the plan of a dry run. */
function answer(outcome: ExecutionRequestOutcome, response: Response): ExecutionDto | DryRunDto {
  if (outcome.dryRun) {
    response.status(HttpStatus.OK);
    return { plan: outcome.plan };
  }
  response.status(HttpStatus.ACCEPTED);
  return mapExecution(outcome.execution);
}
