import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { rolloutPhase } from '@strata/contracts';
import { ROLLOUT_SPEC_SCHEMA, describeStep } from '@strata/domain';
import { LimitQueryDto, apiSchema } from '@strata/observability';
import { RolloutEntity, RolloutTransitionEntity } from '../entities/rollout.entity';

export class CreateRolloutDto {
  @ApiProperty({ example: 'checkout-2026.11.3-canary' })
  @IsString()
  @MaxLength(200)
  name!: string;

  @ApiProperty(apiSchema(ROLLOUT_SPEC_SCHEMA, { description: 'The spec of a Rollout manifest; checked by the domain, whose violations name each field' }))
  @IsObject()
  spec!: Record<string, unknown>;
}

export class PromoteRolloutDto {
  @ApiPropertyOptional({ default: false, description: 'Skip every remaining step; otherwise only the current one' })
  @IsOptional()
  @IsBoolean()
  full?: boolean;
}

export class AbortRolloutDto {
  @ApiPropertyOptional({ example: 'checkout latency doubled' })
  @IsOptional()
  @IsString()
  @MaxLength(2_000)
  reason?: string;
}

export class UndoRolloutDto {
  @ApiPropertyOptional({ example: 'checkout p99 doubled after promotion' })
  @IsOptional()
  @IsString()
  @MaxLength(2_000)
  reason?: string;
}

export class RolloutListQueryDto extends LimitQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(63) stack?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(63) environment?: string;
}

export class RolloutPauseDto {
  @ApiProperty({ enum: ['manual', 'step'] }) cause!: 'manual' | 'step';
  @ApiPropertyOptional({ nullable: true, type: String, description: 'When a timed pause step ends; null: until resumed or promoted' }) resumeAt!: string | null;
}

export class RolloutResponseDto {
  @ApiProperty() id!: string;
  @ApiProperty() stack!: string;
  @ApiProperty() name!: string;
  @ApiProperty() environment!: string;
  @ApiProperty({ description: 'The canary version group' }) versionGroup!: string;
  @ApiProperty({ enum: rolloutPhase.options }) phase!: string;
  @ApiProperty() stepIndex!: number;
  @ApiProperty({ type: [String], example: ['setWeight 5', 'analysis over 30000 ms by judge default'] }) steps!: string[];
  @ApiProperty() canaryWeight!: number;
  @ApiPropertyOptional({ nullable: true, type: RolloutPauseDto }) pause!: RolloutPauseDto | null;
  @ApiPropertyOptional({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty({ type: [String], example: ['judge == Fail', 'error_rate(canary) > 2 * error_rate(stable) and error_rate(canary) > 0.01 for 5s'], description: 'Rollback triggers, each as declared' })
  rollbackTriggers!: string[];
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The stable config when the rollout started: where undo sends traffic back' })
  baselineConfig!: string | null;
  @ApiProperty() createdBy!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class JudgedMetricDto {
  @ApiProperty({ example: 'error-rate' }) metric!: string;
  @ApiProperty({ description: 'The judge failed the canary on this metric' }) regression!: boolean;
  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    minimum: 0,
    maximum: 1,
    example: 0.0021,
    description: 'Always-valid p-value of "no worse than the stable config" (valid however often the step was read); null: not tested',
  })
  pValue!: number | null;
  @ApiProperty({ example: 0.006, description: 'The level a fail needs the p-value under (the metric\'s share of the judge\'s alpha); a fail also needs the shift beyond the tolerances' })
  level!: number;
}

export class RolloutTransitionDto {
  @ApiPropertyOptional({ nullable: true, type: String }) from!: string | null;
  @ApiProperty() to!: string;
  @ApiProperty() stepIndex!: number;
  @ApiProperty() canaryWeight!: number;
  @ApiProperty() reason!: string;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'The routing policy version carrying the weights' }) policyVersion!: number | null;
  @ApiPropertyOptional({ nullable: true, type: [JudgedMetricDto], description: 'On a transition an analysis caused, the statistical judge\'s metrics with their p-values; null otherwise' })
  judgedMetrics!: JudgedMetricDto[] | null;
  @ApiProperty() actor!: string;
  @ApiProperty() at!: string;
}

export function mapRollout(rollout: RolloutEntity): RolloutResponseDto {
  const { state } = rollout;
  return {
    id: rollout.id,
    stack: rollout.stack,
    name: rollout.name,
    environment: rollout.environment,
    versionGroup: rollout.versionGroup,
    phase: state.phase,
    stepIndex: state.stepIndex,
    steps: rollout.steps.map((step) => describeStep(step)),
    canaryWeight: state.canaryWeight,
    pause: state.pause ? { cause: state.pause.cause, resumeAt: state.pause.resumeAt === null ? null : new Date(state.pause.resumeAt).toISOString() } : null,
    reason: state.reason,
    rollbackTriggers: (rollout.rollbackTriggers ?? []).map((trigger) => (trigger.kind === 'condition' && trigger.forMs > 0 ? `${trigger.when} for ${trigger.forMs / 1000}s` : trigger.when)),
    baselineConfig: rollout.baselineConfig,
    createdBy: rollout.createdBy,
    createdAt: rollout.createdAt.toISOString(),
    updatedAt: rollout.updatedAt.toISOString(),
  };
}

export function mapRolloutTransition(transition: RolloutTransitionEntity): RolloutTransitionDto {
  return {
    from: transition.fromPhase,
    to: transition.toPhase,
    stepIndex: transition.stepIndex,
    canaryWeight: transition.canaryWeight,
    reason: transition.reason,
    policyVersion: transition.policyVersion,
    judgedMetrics: transition.judgedMetrics?.map(({ metric, regression, pValue, level }) => ({ metric, regression, pValue, level })) ?? null,
    actor: transition.actor,
    at: transition.at.toISOString(),
  };
}
