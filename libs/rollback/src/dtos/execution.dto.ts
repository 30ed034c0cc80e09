import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { CANARY_SPEC_SCHEMA, DomainError, ExecutionStatus } from '@strata/domain';
import { PageQueryDto, apiSchema } from '@strata/observability';
import { ExecutionEntity, ExecutionStepEntity } from '../entities/execution.entity';
import { PlannedStepView } from '../services/executions.service';

export const EXECUTION_STATUSES: ExecutionStatus[] = ['pending', 'running', 'succeeded', 'failed', 'abandoned'];
const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export class DeployRequestDto {
  @ApiProperty({ example: 'checkout-2026.11.3', description: 'The version group to bring the environment to' })
  @IsString() @MinLength(1) @MaxLength(200) @Matches(GROUP_NAME, { message: 'versionGroup must be a version group name' })
  versionGroup!: string;

  @ApiPropertyOptional({ default: false, description: 'Answer the plan (order, action, the SQL to run) and change nothing' })
  @IsOptional() @IsBoolean()
  dryRun?: boolean;

  @ApiPropertyOptional(
    apiSchema(CANARY_SPEC_SCHEMA, {
      description: "Move the traffic through a canary rollout instead of at once: a Rollout spec's steps and rollbackTriggers (environment and group are the deploy's). The traffic step ends when the rollout is promoted and fails when it is aborted",
    }),
  )
  @IsOptional() @IsObject()
  canary?: Record<string, unknown>;
}

export class RollbackRequestDto {
  @ApiPropertyOptional({ example: 'checkout-2026.11.2', description: 'The version group to go back to; absent: the one deployed before the current one' })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(200) @Matches(GROUP_NAME, { message: 'to must be a version group name' })
  to?: string;

  @ApiPropertyOptional({ default: false, description: 'Answer the plan and change nothing' })
  @IsOptional() @IsBoolean()
  dryRun?: boolean;

  @ApiPropertyOptional({ example: 'checkout p99 doubled', maxLength: 2_000 })
  @IsOptional() @IsString() @MaxLength(2_000)
  reason?: string;
}

export class StopExecutionDto {
  @ApiPropertyOptional({ example: 'the new nodes crash-loop; rolling back instead', maxLength: 2_000, description: "Why: recorded in the stopped step's error beside who stopped it" })
  @IsOptional() @IsString() @MaxLength(2_000)
  reason?: string;
}

export class ExecutionListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ maxLength: 63 }) @IsOptional() @IsString() @MaxLength(63) stack?: string;
  @ApiPropertyOptional({ maxLength: 63 }) @IsOptional() @IsString() @MaxLength(63) environment?: string;
  @ApiPropertyOptional({ enum: EXECUTION_STATUSES }) @IsOptional() @IsIn(EXECUTION_STATUSES) status?: ExecutionStatus;
}

export class ExecutionStepDto {
  @ApiProperty() index!: number;
  @ApiProperty({ description: 'The component, or the version group of a traffic step' }) component!: string;
  @ApiProperty({ example: 'db-schema' }) type!: string;
  @ApiProperty({ enum: ['apply', 'revert', 'traffic'] }) action!: string;
  @ApiProperty({ type: String, nullable: true }) fromVersion!: string | null;
  @ApiProperty({ type: String, nullable: true }) toVersion!: string | null;
  @ApiProperty({ enum: ['pending', 'running', 'succeeded', 'failed'] }) status!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Why the step failed' }) error!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'What the step did, or is waiting for' }) outcome!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) startedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) finishedAt!: string | null;
}

export class ExecutionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['deploy', 'rollback'] }) kind!: string;
  @ApiProperty() stack!: string;
  @ApiProperty() environment!: string;
  @ApiProperty({ description: 'The group the execution brings the environment to' }) versionGroup!: string;
  @ApiProperty({ type: String, nullable: true }) fromVersionGroup!: string | null;
  @ApiProperty({ enum: EXECUTION_STATUSES }) status!: string;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
  @ApiProperty({ description: 'Who asked for it' }) actor!: string;
  @ApiProperty({ type: [ExecutionStepDto] }) steps!: ExecutionStepDto[];
  @ApiProperty({ type: ExecutionStepDto, nullable: true, description: 'The failed step, when the execution failed' }) failedStep!: ExecutionStepDto | null;
  @ApiProperty({ type: [String], description: 'Steps not run (after a failed one): `index component`' }) stepsNotRun!: string[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class ExecutionPageDto {
  @ApiProperty({ type: [ExecutionDto] }) items!: ExecutionDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `after` for the next (older) page' }) nextCursor!: string | null;
}

export class PlannedStepDto {
  @ApiProperty() index!: number;
  @ApiProperty({ enum: ['apply', 'revert', 'traffic'] }) action!: string;
  @ApiProperty() component!: string;
  @ApiProperty() type!: string;
  @ApiProperty({ type: String, nullable: true }) fromVersion!: string | null;
  @ApiProperty({ type: String, nullable: true }) toVersion!: string | null;
  @ApiProperty({ type: [String], description: 'What the step will run: SQL statements, requests, waits' }) run!: string[];
}

export class ExecutionPlanDto {
  @ApiProperty({ enum: ['deploy', 'rollback'] }) kind!: string;
  @ApiProperty() versionGroup!: string;
  @ApiProperty({ type: String, nullable: true }) fromVersionGroup!: string | null;
  @ApiProperty({ type: [PlannedStepDto] }) steps!: PlannedStepView[];
}

export class DryRunDto {
  @ApiProperty({ type: ExecutionPlanDto }) plan!: ExecutionPlanDto;
}

export function mapExecution(execution: ExecutionEntity): ExecutionDto {
  const steps = execution.steps.map(mapStep);
  const failed = steps.find((step) => step.status === 'failed') ?? null;
  return {
    id: execution.id,
    kind: execution.kind,
    stack: execution.stack,
    environment: execution.environment,
    versionGroup: execution.versionGroup,
    fromVersionGroup: execution.fromVersionGroup,
    status: execution.status,
    reason: execution.reason,
    actor: execution.actor,
    steps,
    failedStep: failed,
    stepsNotRun: failed ? steps.filter((step) => step.index > failed.index).map((step) => `${step.index} ${step.component}`) : [],
    createdAt: execution.createdAt.toISOString(),
    updatedAt: execution.updatedAt.toISOString(),
  };
}

function mapStep(step: ExecutionStepEntity): ExecutionStepDto {
  return {
    index: step.index,
    component: step.component,
    type: step.type,
    action: step.action,
    fromVersion: step.fromVersion,
    toVersion: step.toVersion,
    status: step.status,
    error: step.error,
    outcome: step.detail.outcome ?? null,
    startedAt: step.startedAt?.toISOString() ?? null,
    finishedAt: step.finishedAt?.toISOString() ?? null,
  };
}

/** A page cursor names the last execution of the previous page: its creation time and id. */
export function encodeExecutionCursor(execution: ExecutionEntity): string {
  return Buffer.from(JSON.stringify([execution.createdAt.toISOString(), execution.id])).toString('base64url');
}

export function decodeExecutionCursor(text: string): { at: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    const when = new Date(String(at));
    if (typeof at === 'string' && !Number.isNaN(when.getTime()) && typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id)) {
      return { at: when, id };
    }
  } catch {
    // Falls through to the one error below.
  }
  throw DomainError.invalid('after must be the nextCursor of a previous page', [{ field: 'after', message: 'is not a cursor this API gave' }]);
}
