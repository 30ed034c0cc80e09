import { HttpStatus } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ROLLOUT_DECLARATION_REFUSALS, rolloutPhase } from '@strata/contracts';
import { DomainViolation, MANIFEST_KINDS } from '@strata/domain';
import { PROBLEM_CONTENT_TYPE, ProblemDetails, currentCorrelationId, problem } from '@strata/observability';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import type { Response } from 'express';
import { ApplyChange, ApplyResult, RolloutOutcome } from '../services/apply.service';

/** How long an apply waits, by default and at most, for routing-control to answer its Rollouts. */
export const DEFAULT_ROLLOUT_WAIT_SECONDS = 10;
export const MAX_ROLLOUT_WAIT_SECONDS = 30;

export class ApplyQueryDto {
  @ApiPropertyOptional({ default: false, description: 'Return the diff without writing anything (Rollouts are validated, not declared, and never waited for)' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  dryRun = false;

  @ApiPropertyOptional({
    default: DEFAULT_ROLLOUT_WAIT_SECONDS,
    minimum: 0,
    maximum: MAX_ROLLOUT_WAIT_SECONDS,
    description: "Seconds to wait for routing-control's answer to each Rollout of the manifest; without one in time, the Rollout is reported pending (202)",
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_ROLLOUT_WAIT_SECONDS)
  waitSeconds = DEFAULT_ROLLOUT_WAIT_SECONDS;
}

export class ViolationDto {
  @ApiProperty({ example: 'spec.versionGroup' }) field!: string;
  @ApiProperty({ example: 'is not deployed to production' }) message!: string;
}

export class RolloutOutcomeDto {
  @ApiProperty({ enum: ['started', 'refused', 'pending'], description: "routing-control's answer to the Rollout's declaration, or pending when none came within waitSeconds" })
  status!: RolloutOutcome['status'];
  @ApiPropertyOptional({ format: 'uuid', description: 'started: the rollout, at GET /v1/rollouts/{rolloutId}' }) rolloutId?: string;
  @ApiPropertyOptional({ enum: rolloutPhase.options, description: 'started: its phase as routing-control last reported it' }) phase?: string;
  @ApiPropertyOptional({ enum: ROLLOUT_DECLARATION_REFUSALS, description: 'refused: why, as a code (invalid → 422, the others → 409)' }) refusal?: string;
  @ApiPropertyOptional({ example: "version group 'checkout-2026.11.3' is not deployed to production" }) reason?: string;
  @ApiPropertyOptional({ type: [ViolationDto] }) violations?: ViolationDto[];
}

export class ApplyChangeDto {
  @ApiProperty({ example: 'documents[3] (ComponentVersion checkout-api@2.4.0)' }) document!: string;
  @ApiProperty({ enum: MANIFEST_KINDS }) kind!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['create', 'update', 'unchanged'] }) action!: string;
  @ApiPropertyOptional() detail?: string;
  @ApiPropertyOptional({ type: RolloutOutcomeDto, description: 'Rollouts of a real apply: what routing-control answered' }) rollout?: RolloutOutcomeDto;
}

export class ApplyResponseDto {
  @ApiProperty() dryRun!: boolean;
  @ApiProperty({ type: [ApplyChangeDto], description: 'One entry per document, in manifest order' }) changes!: ApplyChangeDto[];
}

/** RFC 9457 problem details of an apply whose Rollout routing-control refused, with the changes that were applied. */
export class ApplyRefusedDto extends ApplyResponseDto {
  @ApiProperty({ example: 'https://strata.dev/problems/rollout-refused' }) type!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ enum: [422, 409] }) status!: number;
  @ApiProperty() detail!: string;
  @ApiPropertyOptional() instance?: string;
  @ApiPropertyOptional() correlationId?: string;
  @ApiProperty({ type: [ViolationDto], description: 'Each refused Rollout: its fields named from the document, or the document itself' }) errors!: ViolationDto[];
}

function mapOutcome(outcome: RolloutOutcome): RolloutOutcomeDto {
  return { ...outcome, ...(outcome.status === 'refused' ? { violations: outcome.violations.map((violation) => ({ ...violation })) } : {}) };
}

function mapChange(change: ApplyChange): ApplyChangeDto {
  const { rollout, ...rest } = change;
  return { ...rest, ...(rollout ? { rollout: mapOutcome(rollout) } : {}) };
}

export function mapApplyResult(result: ApplyResult): ApplyResponseDto {
  return { dryRun: result.dryRun, changes: result.changes.map(mapChange) };
}

/** A refused Rollout's violations named from its document, as the apply names every other refusal. */
function refusalErrors(change: ApplyChange, outcome: Extract<RolloutOutcome, { status: 'refused' }>): DomainViolation[] {
  return outcome.violations.length > 0 ? outcome.violations.map((violation) => ({ field: `${change.document}.${violation.field}`, message: violation.message })) : [{ field: change.document, message: outcome.reason }];
}

/**
 * The apply's answer: 200 when every Rollout started (or there was none), 202 when one is still
 * pending, and a problem (422 when a refusal is about the Rollout itself, else 409) when
 * routing-control refused one — applied, the rest of the manifest stays, and the problem says so.
 */
export function answerApply(result: ApplyResult, response: Response): ApplyResponseDto | ApplyRefusedDto {
  const body = mapApplyResult(result);
  const refused = result.changes.flatMap((change) => (change.rollout?.status === 'refused' ? [{ change, outcome: change.rollout }] : []));
  if (refused.length === 0) {
    response.status(result.changes.some((change) => change.rollout?.status === 'pending') ? HttpStatus.ACCEPTED : HttpStatus.OK);
    return body;
  }
  const status = refused.some(({ outcome }) => outcome.refusal === 'invalid') ? HttpStatus.UNPROCESSABLE_ENTITY : HttpStatus.CONFLICT;
  const detail = `routing-control refused ${refused.map(({ change, outcome }) => `${change.document}: ${outcome.reason}`).join('; ')}; the manifest's other documents are applied (see changes): fix the cause and apply it again`;
  const details: ProblemDetails = problem(status, 'rollout-refused', detail, { errors: refused.flatMap(({ change, outcome }) => refusalErrors(change, outcome)) });
  response.status(status).type(PROBLEM_CONTENT_TYPE);
  return { ...details, instance: response.req.originalUrl, correlationId: currentCorrelationId(), ...body } as ApplyRefusedDto;
}
