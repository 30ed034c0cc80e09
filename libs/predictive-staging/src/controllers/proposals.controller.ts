import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiServiceUnavailableResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { CallerAuthorization, Principal, RequireRole } from '@strata/observability';
import {
  IndexAdviceDto,
  IndexProposalRequestDto,
  LbWeightsAdviceDto,
  LbWeightsProposalRequestDto,
  ProposalDetailDto,
  ProposalDto,
  ProposalIdParamDto,
  ProposalPageDto,
  PromoteProposalDto,
  ProposalQueryDto,
  RejectProposalDto,
  ValidateProposalDto,
  mapAdvice,
  mapLbWeightsAdvice,
  mapProposal,
  mapProposalDetail,
} from '../dtos/proposal.dto';
import { LbWeightsProposalsService } from '../services/lb-weights-proposals.service';
import { MirrorTrialsService } from '../services/mirror-trials.service';
import { PromotionService } from '../services/promotion.service';
import { ProposalsService } from '../services/proposals.service';

@ApiTags('proposals')
@Controller('v1/proposals')
export class ProposalsController {
  constructor(
    private readonly proposals: ProposalsService,
    private readonly promotions: PromotionService,
    private readonly lbWeights: LbWeightsProposalsService,
    private readonly mirrorTrials: MirrorTrialsService,
  ) {}

  @RequireRole('operator')
  @Post('indexes')
  @ApiCreatedResponse({ type: IndexAdviceDto, description: "The index advisor on the target's slow statements: one proposal per index it keeps, the dropped candidates with why" })
  @ApiUnprocessableEntityResponse({ description: 'problem+json naming the field: a variable that is not set, an unreachable database, no statements' })
  async proposeIndexes(@Body() body: IndexProposalRequestDto, @Principal() actor: string): Promise<IndexAdviceDto> {
    return mapAdvice(await this.proposals.proposeIndexes(body, actor));
  }

  @RequireRole('operator')
  @Post('lb-weights')
  @ApiCreatedResponse({
    type: LbWeightsAdviceDto,
    description:
      "Node weights from the newest per-node load forecasts of the environment (one stack config, one horizon): the proposal made or refined with the forecast peak, or why none (a node's forecast no better than its best baseline on its backtest, loads even enough)",
  })
  @ApiUnprocessableEntityResponse({ description: 'No per-node load forecast for the stack and environment: problem+json naming stack' })
  async proposeLbWeights(@Body() body: LbWeightsProposalRequestDto, @Principal() actor: string): Promise<LbWeightsAdviceDto> {
    return mapLbWeightsAdvice(await this.lbWeights.propose(body.stack, body.environment, actor));
  }

  @RequireRole('viewer')
  @Get()
  @ApiOkResponse({ type: ProposalPageDto, description: 'Newest first' })
  @ApiBadRequestResponse({ description: 'A bad filter, named in errors[].field' })
  async list(@Query() query: ProposalQueryDto): Promise<ProposalPageDto> {
    const page = await this.proposals.list({ stack: query.stack, environment: query.environment, kind: query.kind, status: query.status }, query.limit, query.after);
    return { items: page.items.map(mapProposal), nextCursor: page.nextCursor };
  }

  @RequireRole('viewer')
  @Get(':id')
  @ApiOkResponse({ type: ProposalDetailDto, description: 'The proposal with every move of its lifecycle' })
  @ApiNotFoundResponse()
  async get(@Param() params: ProposalIdParamDto): Promise<ProposalDetailDto> {
    const { proposal, transitions } = await this.proposals.get(params.id);
    return mapProposalDetail(proposal, transitions);
  }

  @RequireRole('operator')
  @Post(':id/stage')
  @HttpCode(200)
  @ApiOkResponse({
    type: ProposalDto,
    description:
      "staged. index: measured on a sampled copy of the target (EXPLAIN ANALYZE before and after), plans and figures under staging; the copy is dropped. app-version: the rollback service's dry run of deploying its version group (the caller's token), the plan's steps or its refusal under staging. lb-weights (before the forecast peak): a compile check of the weights into a routing policy, each node's share under staging (no traffic check)",
  })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'Not proposed or staged (status named); lb-weights past their forecast peak (peakAt named)' })
  @ApiUnprocessableEntityResponse({ description: 'The target cannot be reached or copied, or the rollback service does not know the stack: problem+json naming the field' })
  @ApiServiceUnavailableResponse({ description: 'app-version: the rollback service cannot be reached' })
  async stage(@Param() params: ProposalIdParamDto, @CallerAuthorization() authorization: string, @Principal() actor: string): Promise<ProposalDto> {
    return mapProposal(await this.proposals.stage(params.id, actor, authorization));
  }

  @RequireRole('operator')
  @Post(':id/validate')
  @HttpCode(200)
  @ApiOkResponse({
    type: ProposalDto,
    description:
      "validated when what staging measured holds (lb-weights: when its compile check passed, which is no traffic check), rejected with its reason when not. With mirror (app-version): routing-control mirrors sampleRate of production's requests to the staging config for windowSeconds (the caller's token), the canary judge compares its status shares and latency with production's; validated on pass, rejected on fail, left staged when too little traffic decided; the verdict and figures under staging.mirror, the mirror switched off after. With mirror (lb-weights): the copies go to the proposal's stack config spread over its nodes by the proposed weights, judged the same way against production plus each node's share of the copies against its weight's (staging.mirror.nodeShares)",
  })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'Not staged: problem+json naming status; a mirrored trial already running in the environment: naming environment' })
  @ApiUnprocessableEntityResponse({ description: 'mirror: a sampleRate outside (0, 1], a window too long, a kind that cannot be mirrored (index), no routing policy (environment) or a stack config routing-control refuses to mirror to (mirror.stackConfig): problem+json naming the field' })
  @ApiServiceUnavailableResponse({ description: 'mirror: routing-control cannot be reached' })
  async validate(@Param() params: ProposalIdParamDto, @Body() body: ValidateProposalDto, @CallerAuthorization() authorization: string, @Principal() actor: string): Promise<ProposalDto> {
    return mapProposal(body.mirror ? await this.mirrorTrials.validate(params.id, body.mirror, actor, authorization) : await this.proposals.validate(params.id, actor));
  }

  @RequireRole('operator')
  @Post(':id/reject')
  @HttpCode(200)
  @ApiOkResponse({ type: ProposalDto })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'Already promoted or rejected: problem+json naming status' })
  async reject(@Param() params: ProposalIdParamDto, @Body() body: RejectProposalDto, @Principal() actor: string): Promise<ProposalDto> {
    return mapProposal(await this.proposals.reject(params.id, body.reason, actor));
  }

  @RequireRole('operator')
  @Post(':id/promote')
  @HttpCode(200)
  @ApiOkResponse({
    type: ProposalDto,
    description:
      "promoted. index: registered as a db-schema version and a version group (the registry), deployed by the rollback service's forward execution (the caller's token on both), production's observed effect under observed. lb-weights (before the forecast peak): the lb-rule component's next version with the proposed nodeWeights, its version group, deployed the same way. app-version: its existing version group deployed by the rollback service's forward execution",
  })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'Not validated (status named), being promoted, lb-weights past their forecast peak (peakAt named), or the execution failed (executionId named); the proposal stays validated with the error under promotion' })
  @ApiUnprocessableEntityResponse({ description: 'An unknown stack, environment, component or version group, a component of the wrong type, an unreachable target database: problem+json naming the field' })
  @ApiServiceUnavailableResponse({ description: 'The registry or the rollback service cannot be reached' })
  async promote(@Param() params: ProposalIdParamDto, @Body() body: PromoteProposalDto, @CallerAuthorization() authorization: string, @Principal() actor: string): Promise<ProposalDto> {
    return mapProposal(await this.promotions.promote(params.id, body, authorization, actor));
  }
}
