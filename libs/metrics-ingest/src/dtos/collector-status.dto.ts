import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { CollectorStatus } from '../repositories/collector-schedule';
import { SeriesSearchQueryDto } from './series.dto';

export const COLLECTOR_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
export const COLLECTOR_NAME_MESSAGE = 'name must be 1-63 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit';

export class CollectorStatusDto {
  @ApiProperty() intervalMs!: number;
  @ApiProperty() nextRunAt!: string;
  @ApiProperty({ nullable: true, type: String }) lastRunAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastSuccessAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The last failure, kept after later successes; consecutiveFailures tells whether it still fails' })
  lastError!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastErrorAt!: string | null;
  @ApiProperty() consecutiveFailures!: number;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true, description: 'Figures of the last successful run' })
  lastOutcome!: Record<string, unknown> | null;
}

/** Pages by name: the same `limit` as series pages, `after` a name. */
export class CollectorPageQueryDto extends PickType(SeriesSearchQueryDto, ['limit'] as const) {
  @ApiPropertyOptional({ description: 'The nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  after?: string;
}

export class CollectorNameParamDto {
  @ApiProperty({ example: 'checkout-latency' })
  @Matches(COLLECTOR_NAME, { message: COLLECTOR_NAME_MESSAGE })
  name!: string;
}

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

export function mapCollectorStatus(status: CollectorStatus): CollectorStatusDto {
  return {
    intervalMs: status.intervalMs,
    nextRunAt: status.nextRunAt.toISOString(),
    lastRunAt: iso(status.lastRunAt),
    lastSuccessAt: iso(status.lastSuccessAt),
    lastError: status.lastError,
    lastErrorAt: iso(status.lastErrorAt),
    consecutiveFailures: status.consecutiveFailures,
    lastOutcome: status.lastOutcome,
  };
}

/** The next page starts after the last name of a full page. */
export function nextCursorOf(items: ReadonlyArray<{ name: string }>, limit: number): string | null {
  return items.length === limit ? (items[items.length - 1]?.name ?? null) : null;
}
