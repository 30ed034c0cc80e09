import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow } from 'class-validator';
import { RollbackTriggerEntity } from '../entities/trigger.entity';
import { FiringWithExecution } from '../repositories/triggers.repository';
import { EXECUTION_STATUSES } from './execution.dto';

/** Validated by the domain (`rollbackTriggerViolations`), which names each bad field in the 422. */
export class PutRollbackTriggerDto {
  @ApiProperty({
    type: String,
    maxLength: 500,
    example: 'error_rate(canary) > 2 * error_rate(stable) and error_rate(canary) > 0.01',
    description:
      'KPI comparisons of error_rate, latency_mean_ms, latency_p99_ms of (canary) or (stable) joined by "and" (decided on the gateway\'s 1 s flushes); "anomaly(severity >= high, scope = canary|group)"; "judge == Fail"; "health == failing"; "gateway == nack"',
  })
  @Allow()
  when!: unknown;

  @ApiPropertyOptional({ type: String, maxLength: 50, example: '5s', description: 'KPI conditions: the trailing span of gateway flushes each evaluation reads (1s to 5m)', default: '5s' })
  @Allow()
  window?: unknown;

  @ApiPropertyOptional({ type: String, maxLength: 50, example: '0s', description: 'KPI conditions: how long the condition must hold before the trigger fires (debounce, 0s to 1h)', default: '0s' })
  @Allow()
  for?: unknown;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 10_000_000, example: 10, description: 'KPI conditions: canary requests the window must hold for its figures to count', default: 10 })
  @Allow()
  minRequests?: unknown;

  @ApiPropertyOptional({
    type: 'object',
    properties: { rollout: { type: 'string', maxLength: 200 }, versionGroup: { type: 'string', maxLength: 200 }, component: { type: 'string', maxLength: 200 } },
    additionalProperties: false,
    example: { versionGroup: 'shop-2.4.0' },
    description: 'rollout, versionGroup, component: every one given must match; none: the whole environment' })
  @Allow()
  scope?: unknown;

  @ApiProperty({ type: String, enum: ['abort', 'rollback'], description: "abort: the rollout's traffic back to stable; rollback: abort, then a backward execution of every layer of the group" })
  @Allow()
  action!: unknown;

  @ApiPropertyOptional({ type: String, maxLength: 50, example: '10m', description: 'After a firing, no other firing for this long (0s to 24h): a flapping signal acts once', default: '10m' })
  @Allow()
  coolDown?: unknown;

  @ApiPropertyOptional({ type: Boolean, example: false, description: 'Record what it would have done, and do nothing', default: false })
  @Allow()
  dryRun?: unknown;
}

export class RollbackTriggerDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() stack!: string;
  @ApiProperty() environment!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The trigger as declared (when, window, for, minRequests, scope, action, coolDown, dryRun)' }) spec!: Record<string, unknown>;
  @ApiProperty({ enum: ['api', 'rollout'], description: "rollout: one of a Rollout's rollbackTriggers, named <rollout>.<index>" }) source!: string;
  @ApiProperty({ type: String, nullable: true }) rollout!: string | null;
  @ApiProperty() createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) lastFiredAt!: string | null;
}

export class TriggerFiringDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() trigger!: string;
  @ApiProperty() when!: string;
  @ApiProperty({ enum: ['abort', 'rollback'] }) action!: string;
  @ApiProperty() dryRun!: boolean;
  @ApiProperty({ type: String, nullable: true }) rollout!: string | null;
  @ApiProperty({ type: String, nullable: true }) versionGroup!: string | null;
  @ApiProperty({ description: 'What the condition saw' }) evidence!: string;
  @ApiProperty({ enum: ['recorded', 'done', 'backward-pending', 'backward-started', 'failed'], description: 'recorded: a dry run' }) status!: string;
  @ApiProperty({ description: 'What was done, or would have been' }) outcome!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'The backward execution' }) executionId!: string | null;
  @ApiProperty({ type: String, nullable: true, enum: EXECUTION_STATUSES, description: "The backward execution's status now (the firing's own status says what the trigger did)" }) executionStatus!: string | null;
  @ApiProperty({ format: 'date-time' }) firedAt!: string;
}

export function mapTrigger(trigger: RollbackTriggerEntity): RollbackTriggerDto {
  return {
    id: trigger.id,
    stack: trigger.stack,
    environment: trigger.environment,
    name: trigger.name,
    spec: trigger.spec,
    source: trigger.source,
    rollout: trigger.rollout,
    createdBy: trigger.createdBy,
    createdAt: trigger.createdAt.toISOString(),
    updatedAt: trigger.updatedAt.toISOString(),
    lastFiredAt: trigger.lastFiredAt?.toISOString() ?? null,
  };
}

export function mapFiring({ firing, executionStatus }: FiringWithExecution): TriggerFiringDto {
  return {
    id: firing.id,
    trigger: firing.triggerName,
    when: firing.when,
    action: firing.action,
    dryRun: firing.dryRun,
    rollout: firing.rollout,
    versionGroup: firing.versionGroup,
    evidence: firing.evidence,
    status: firing.status,
    outcome: firing.outcome,
    executionId: firing.executionId,
    executionStatus,
    firedAt: firing.firedAt.toISOString(),
  };
}
