import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsObject, IsString, Max, MaxLength, Min } from 'class-validator';
import { TRAFFIC_RULE_ACTION_SCHEMA, TRAFFIC_RULE_CONDITION_SCHEMA } from '@strata/domain';
import { apiSchema } from '@strata/observability';
import { TrafficRuleEntity } from '../entities/traffic-rule.entity';

/** Nested fields are checked by the domain's rule validator, whose violations name each one. */
export class CreateTrafficRuleDto {
  @ApiProperty({ example: 'canary-errors', description: 'A resource name: 1–63 lowercase letters, digits and hyphens, starting and ending with a letter or digit', maxLength: 63 })
  @IsString()
  @MaxLength(63)
  name!: string;

  @ApiProperty(apiSchema(TRAFFIC_RULE_CONDITION_SCHEMA))
  @IsObject()
  condition!: Record<string, unknown>;

  @ApiProperty({ example: 5000, description: 'How long the condition must hold before acting' })
  @IsInt()
  @Min(0)
  @Max(86_400_000)
  forMs!: number;

  @ApiProperty(apiSchema(TRAFFIC_RULE_ACTION_SCHEMA))
  @IsObject()
  action!: Record<string, unknown>;
}

export class TrafficRuleResponseDto {
  @ApiProperty() id!: string;
  @ApiProperty() stack!: string;
  @ApiProperty() environment!: string;
  @ApiProperty() name!: string;
  @ApiProperty() condition!: Record<string, unknown>;
  @ApiProperty() forMs!: number;
  @ApiProperty() action!: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String, description: 'Since when the condition holds' }) breachingSince!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'When the action fired during the current breach' }) firedAt!: string | null;
  @ApiProperty() createdBy!: string;
  @ApiProperty() createdAt!: string;
}

const isoOrNull = (time: number | null): string | null => (time === null ? null : new Date(time).toISOString());

export function mapTrafficRule(entity: TrafficRuleEntity): TrafficRuleResponseDto {
  return {
    id: entity.id,
    stack: entity.stack,
    environment: entity.environment,
    name: entity.name,
    condition: { ...entity.rule.condition },
    forMs: entity.rule.forMs,
    action: { ...entity.rule.action },
    breachingSince: isoOrNull(entity.tracking.breachingSince),
    firedAt: isoOrNull(entity.tracking.firedAt),
    createdBy: entity.createdBy,
    createdAt: entity.createdAt.toISOString(),
  };
}
