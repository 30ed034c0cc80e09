import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PROPOSAL_KINDS, PROPOSAL_STATUSES, ProposalKind, ProposalStatus } from '@strata/domain';
import { PageQueryDto } from '@strata/observability';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsNumber, IsObject, IsOptional, IsPositive, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import type { LbWeightsOutcome } from '../services/lb-weights-proposals.service';
import type { IndexAdvice } from '../services/proposals.service';
import type { ProposalRecord, ProposalTransitionRecord } from '../repositories/proposals.repository';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

export class StatementDto {
  @ApiProperty({ maxLength: 100_000, example: "SELECT * FROM orders WHERE customer_id = 42", description: 'Literal SQL as it ran (PostgreSQL 15 cannot plan a normalised $1 statement)' })
  @IsString() @MinLength(1) @MaxLength(100_000)
  query!: string;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 1_000_000_000_000, example: 5000 })
  @IsInt() @Min(0) @Max(1_000_000_000_000)
  calls!: number;

  @ApiProperty({ minimum: 0, maximum: 86_400_000, example: 25.4, description: 'Mean execution time, ms' })
  @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(86_400_000)
  meanExecTimeMs!: number;
}

/** A stack's environment: what an lb-weights proposal is requested for, and where an index proposal's database runs. */
export class LbWeightsProposalRequestDto {
  @ApiProperty({ maxLength: 63, example: 'shop' }) @IsString() @MinLength(1) @MaxLength(63) @Matches(NAME, { message: 'stack must be a stack name' })
  stack!: string;

  @ApiProperty({ maxLength: 63, example: 'production' }) @IsString() @MinLength(1) @MaxLength(63) @Matches(NAME, { message: 'environment must be an environment name' })
  environment!: string;
}

export class IndexProposalRequestDto extends LbWeightsProposalRequestDto {
  @ApiProperty({ maxLength: 63, example: 'shop-db', description: 'The db-schema component whose database the indexes are for' })
  @IsString() @MinLength(1) @MaxLength(63) @Matches(NAME, { message: 'component must be a component name' })
  component!: string;

  @ApiProperty({ maxLength: 128, example: 'SHOP_DB_URL', description: "The variable of predictive-staging's environment holding the target database's URL (never stored)" })
  @IsString() @Matches(VARIABLE, { message: 'databaseUrlFrom must name an environment variable, e.g. SHOP_DB_URL' })
  databaseUrlFrom!: string;

  @ApiPropertyOptional({ type: [StatementDto], maxItems: 10_000, description: "The statements to advise on; absent: the target's pg_stat_statements" })
  @IsOptional() @ValidateNested({ each: true }) @Type(() => StatementDto) @ArrayMinSize(1) @ArrayMaxSize(10_000)
  statements?: StatementDto[];
}

export class RejectProposalDto {
  @ApiProperty({ maxLength: 2_000, example: 'the table is about to be partitioned' }) @IsString() @MinLength(1) @MaxLength(2_000)
  reason!: string;
}

export class PromoteProposalDto {
  @ApiPropertyOptional({ maxLength: 63, example: 'shop', description: "The registry's stack to promote into; the proposal's by default" })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(63) @Matches(NAME, { message: 'stack must be a stack name' })
  stack?: string;

  @ApiPropertyOptional({ maxLength: 63, example: 'production', description: "The environment deployed to; the proposal's by default" })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(63) @Matches(NAME, { message: 'environment must be an environment name' })
  environment?: string;

  @ApiPropertyOptional({ maxLength: 63, example: 'shop-db', description: "index: the db-schema component that gets the new version; the proposal's by default. Not used by an app-version proposal (its version group decides)" })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(63) @Matches(NAME, { message: 'component must be a component name' })
  component?: string;
}

/** JSON bodies of the copies compared with production's answers, in the gateway. */
export class CompareBodiesDto {
  @ApiProperty({ type: [String], maxItems: 100, example: ['**.requestId', 'updatedAt', 'items.*.etag'], description: 'Field paths left out: from the root, * for one key or index, ** for any depth' })
  @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) @MinLength(1, { each: true }) @MaxLength(256, { each: true })
  ignoreFields!: string[];

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1_048_576, default: 65_536, description: 'Longer bodies (either side) are not compared' })
  @IsOptional() @IsInt() @Min(1) @Max(1_048_576)
  maxBytes?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, default: 0, description: 'Share of compared bodies that may differ; 0: any difference fails the trial' })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1)
  maxMismatchShare?: number;
}

/** A mirrored trial: a sample of production's requests copied to a staging config for a window, then judged. */
export class MirrorTrialDto {
  @ApiPropertyOptional({ maxLength: 200, example: 'shop-2026.12.1', description: "The staging config: a stack config of the environment's routing policy (not the stable one; e.g. weight 0 with its own nodes). By default the proposal's version group; lb-weights: the proposal's stack config, whose nodes the copies are spread over by the proposed weights" })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(200)
  stackConfig?: string;

  @ApiProperty({ exclusiveMinimum: true, minimum: 0, maximum: 1, example: 0.1, description: "Share of production's requests without a body copied to the staging config, in (0, 1]" })
  @IsNumber({ allowNaN: false, allowInfinity: false }) @IsPositive({ message: 'sampleRate must be in (0, 1]' }) @Max(1, { message: 'sampleRate must be in (0, 1]' })
  sampleRate!: number;

  @ApiProperty({ type: 'integer', minimum: 10, maximum: 86_400, example: 300, description: 'How long copies are sent; at most PREDICTIVE_MIRROR_MAX_WINDOW_SECONDS (900 by default). The request answers after it and the last KPI windows' })
  @IsInt() @Min(10) @Max(86_400)
  windowSeconds!: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100_000_000, example: 300, description: 'Requests each side must serve for a pass (fewer leaves the proposal staged); PREDICTIVE_MIRROR_MIN_REQUESTS by default' })
  @IsOptional() @IsInt() @Min(1) @Max(100_000_000)
  minRequests?: number;

  @ApiPropertyOptional({ type: CompareBodiesDto, description: "Compare the copies' JSON bodies with production's answers (requests without a body; uncompressed JSON)" })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => CompareBodiesDto)
  compareBodies?: CompareBodiesDto;

  @ApiPropertyOptional({ exclusiveMinimum: true, minimum: 0, maximum: 1, example: 0.1, description: "lb-weights: how far (absolute share) a node's share of the copies may be from the share its proposed weight asks for; 0.1 by default" })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @IsPositive({ message: 'maxShareDeviation must be in (0, 1]' }) @Max(1, { message: 'maxShareDeviation must be in (0, 1]' })
  maxShareDeviation?: number;
}

export class ValidateProposalDto {
  @ApiPropertyOptional({ type: MirrorTrialDto, description: "app-version and lb-weights: validate with mirrored traffic instead of on staging's figures alone" })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => MirrorTrialDto)
  mirror?: MirrorTrialDto;
}

export class ProposalQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ maxLength: 63 }) @IsOptional() @IsString() @MaxLength(63) stack?: string;
  @ApiPropertyOptional({ maxLength: 63 }) @IsOptional() @IsString() @MaxLength(63) environment?: string;
  @ApiPropertyOptional({ enum: PROPOSAL_KINDS }) @IsOptional() @IsIn(PROPOSAL_KINDS) kind?: ProposalKind;
  @ApiPropertyOptional({ enum: PROPOSAL_STATUSES }) @IsOptional() @IsIn(PROPOSAL_STATUSES) status?: ProposalStatus;
}

export class ProposalIdParamDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID('all', { message: 'id must be a UUID' })
  id!: string;
}

export class ProposalTransitionDto {
  @ApiProperty({ enum: PROPOSAL_STATUSES, nullable: true, type: String }) from!: string | null;
  @ApiProperty({ enum: PROPOSAL_STATUSES }) to!: string;
  @ApiProperty() actor!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class ProposalDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: PROPOSAL_KINDS }) kind!: string;
  @ApiProperty() stack!: string;
  @ApiProperty() environment!: string;
  @ApiProperty() component!: string;
  @ApiProperty({ example: 'index on orders (customer_id)' }) title!: string;
  @ApiProperty({ enum: PROPOSAL_STATUSES }) status!: string;
  @ApiProperty({ description: 'Why it is where it is (the last move)' }) reason!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Where it applies. index: databaseUrlFrom. app-version: stack, environment, component, runningVersion, runningGroup. lb-weights: stack, environment, component, stackConfig, horizonStart, peakAt' }) target!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The change. index: table, columns, up (CREATE INDEX CONCURRENTLY) and down SQL. app-version: type app, reason last-known-good, version, versionGroup (the group that carries it), deployedAt. lb-weights: type lb-rule, scope node-weights, stackConfig, current and proposed weights per node (percent), horizon (start, end, stepMs, steps), peakAt (the forecast peak: staged before it)' }) change!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Why. index: the statements it serves, the evaluation path. app-version: anomalies (anomalyId, seriesId, metric, node, at, score, severity, observed, expected) and the earlier groups skipped with why. lb-weights: the per-node load forecasts (forecastId, node, method, its backtest MASE, the baseline it beat and the MASE of that baseline) and the latency forecasts beside them' }) evidence!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, description: "The expected effect as numbers. index: planner cost before, after, reduction. app-version: per metric, its level now, under the last known good group, and the expected reduction. lb-weights: peakAt, each node's forecast peak load before and after, the busiest node's before and after" }) expected!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: "What staging measured (app-version: the rollback service's dry-run plan of its group; lb-weights: the deadline only, stagedAt and peakAt, as its mirrored trial is not implemented)" }) staging!: Record<string, unknown> | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: "The effect production showed after promotion: each statement's time before and after, the reduction beside staging's prediction" }) observed!: Record<string, unknown> | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'The promotion: stack, environment, component, version, versionGroup, executionId; while not promoted, the last attempt\'s error' }) promotion!: Record<string, unknown> | null;
  @ApiProperty() createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class ProposalDetailDto extends ProposalDto {
  @ApiProperty({ type: [ProposalTransitionDto] }) transitions!: ProposalTransitionDto[];
}

export class ProposalPageDto {
  @ApiProperty({ type: [ProposalDto] }) items!: ProposalDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class RejectedCandidateDto {
  @ApiProperty() table!: string;
  @ApiProperty({ type: [String] }) columns!: string[];
  @ApiProperty({ type: [String] }) queries!: string[];
  @ApiProperty({ example: 'planner cost drops only 27 % (812 → 593), below 50 %' }) reason!: string;
}

export class IndexAdviceDto {
  @ApiProperty({ enum: ['hypopg', 'real-index', 'staging-copy'], description: 'How candidates were evaluated' }) path!: string;
  @ApiProperty({ description: 'Statements read (given or from pg_stat_statements)' }) statementsRead!: number;
  @ApiProperty({ type: [ProposalDto], description: 'One proposal per index kept' }) proposals!: ProposalDto[];
  @ApiProperty({ type: [RejectedCandidateDto], description: 'Candidates dropped, each with why' }) rejected!: RejectedCandidateDto[];
}

export class LbWeightsSkipDto {
  @ApiProperty() forecastId!: string;
  @ApiProperty() node!: string;
  @ApiProperty({ example: 'holt backtest MASE 0.912 is no better than the baseline seasonal-naive (MASE 0.900)' }) reason!: string;
}

export class LbWeightsAdviceDto {
  @ApiProperty({ type: ProposalDto, nullable: true, description: 'The proposal of the newest horizon, made or refined; null when none (reason says why)' }) proposal!: ProposalDto | null;
  @ApiProperty({ description: 'Whether this request made the proposal (false: it refined or found the one of the same horizon)' }) made!: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'Why no proposal' }) reason!: string | null;
  @ApiProperty({ type: [LbWeightsSkipDto], description: 'Node forecasts no better than a baseline on their backtest: any one stops the proposal' }) skipped!: LbWeightsSkipDto[];
}

export function mapLbWeightsAdvice(outcome: LbWeightsOutcome): LbWeightsAdviceDto {
  return { proposal: outcome.proposal ? mapProposal(outcome.proposal) : null, made: outcome.made, reason: outcome.reason, skipped: outcome.skipped.map((skip) => ({ ...skip })) };
}

export function mapProposal(proposal: ProposalRecord): ProposalDto {
  const { seq: _seq, createdAt, updatedAt, ...rest } = proposal;
  return { ...rest, createdAt: createdAt.toISOString(), updatedAt: updatedAt.toISOString() };
}

export function mapProposalDetail(proposal: ProposalRecord, transitions: readonly ProposalTransitionRecord[]): ProposalDetailDto {
  return { ...mapProposal(proposal), transitions: transitions.map((transition) => ({ ...transition, at: transition.at.toISOString() })) };
}

export function mapAdvice(advice: IndexAdvice): IndexAdviceDto {
  return {
    path: advice.path,
    statementsRead: advice.statementsRead,
    proposals: advice.proposals.map(mapProposal),
    rejected: advice.rejected.map((candidate) => ({ ...candidate, columns: [...candidate.columns], queries: [...candidate.queries] })),
  };
}
