import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { QuerySourceDefinition, QuerySourceRecord } from '../repositories/query-sources.repository';
import { COLLECTOR_NAME, COLLECTOR_NAME_MESSAGE, CollectorStatusDto, mapCollectorStatus } from './collector-status.dto';
import { PrometheusDefaultsDto } from './ingest.dto';

const DAY_MS = 86_400_000;

export class CreateQuerySourceDto {
  @ApiProperty({ example: 'checkout-error-ratio' }) @Matches(COLLECTOR_NAME, { message: COLLECTOR_NAME_MESSAGE }) @MaxLength(63) name!: string;

  @ApiProperty({ example: 'http://prometheus:9090', description: "Prometheus' base URL; /api/v1/query_range is appended" })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'baseUrl must be an http(s) URL' })
  @MaxLength(2_000)
  baseUrl!: string;

  @ApiProperty({ example: 'sum by (job, instance) (rate(http_requests_total{code=~"5.."}[1m]))' }) @IsString() @MinLength(1) @MaxLength(20_000) query!: string;

  @ApiPropertyOptional({ example: 'http_error_rate', description: 'Names result series that have no __name__ (most functions and operators drop it)' })
  @IsOptional()
  @Matches(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,199}$/, { message: 'metric must be a Prometheus-style metric name' })
  @MaxLength(200)
  metric?: string;

  @ApiProperty({ example: 15_000, description: 'Resolution of query_range, milliseconds (≥ 1000)' }) @IsInt() @Min(1_000) @Max(DAY_MS) stepMs!: number;
  @ApiProperty({ example: 60_000, description: 'How often the source runs, milliseconds (≥ 1000)' }) @IsInt() @Min(1_000) @Max(DAY_MS) intervalMs!: number;

  @ApiPropertyOptional({ default: 30_000, description: 'Evaluation stops this far behind now, so the last scrapes have reached Prometheus' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(DAY_MS)
  delayMs?: number;

  @ApiPropertyOptional({ default: 0, description: 'How far back the first run starts' }) @IsOptional() @IsInt() @Min(0) @Max(30 * DAY_MS) backfillMs?: number;

  @ApiPropertyOptional({ type: PrometheusDefaultsDto, description: 'Strata labels for result series that lack them (see the label mapping)' })
  @IsOptional()
  @ValidateNested()
  @Type(() => PrometheusDefaultsDto)
  defaults?: PrometheusDefaultsDto;
}

export class QuerySourceResponseDto {
  @ApiProperty() name!: string;
  @ApiProperty() baseUrl!: string;
  @ApiProperty() query!: string;
  @ApiProperty({ nullable: true, type: String }) metric!: string | null;
  @ApiProperty() stepMs!: number;
  @ApiProperty() intervalMs!: number;
  @ApiProperty() delayMs!: number;
  @ApiProperty() backfillMs!: number;
  @ApiProperty({ type: PrometheusDefaultsDto }) defaults!: PrometheusDefaultsDto;
  @ApiProperty({ nullable: true, type: String, description: 'The last evaluation time stored; the next run starts one step later' }) cursor!: string | null;
  @ApiProperty({ type: CollectorStatusDto }) status!: CollectorStatusDto;
  @ApiProperty() createdAt!: string;
}

export class QuerySourcePageDto {
  @ApiProperty({ type: [QuerySourceResponseDto] }) items!: QuerySourceResponseDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

export const DEFAULT_QUERY_DELAY_MS = 30_000;

export function toQuerySourceDefinition(dto: CreateQuerySourceDto): QuerySourceDefinition {
  return {
    name: dto.name,
    baseUrl: dto.baseUrl,
    query: dto.query,
    metric: dto.metric ?? null,
    stepMs: dto.stepMs,
    intervalMs: dto.intervalMs,
    delayMs: dto.delayMs ?? DEFAULT_QUERY_DELAY_MS,
    backfillMs: dto.backfillMs ?? 0,
    defaults: { ...dto.defaults },
  };
}

export function mapQuerySource(source: QuerySourceRecord): QuerySourceResponseDto {
  return {
    name: source.name,
    baseUrl: source.baseUrl,
    query: source.query,
    metric: source.metric,
    stepMs: source.stepMs,
    intervalMs: source.intervalMs,
    delayMs: source.delayMs,
    backfillMs: source.backfillMs,
    defaults: source.defaults,
    cursor: source.cursor === null ? null : new Date(source.cursor).toISOString(),
    status: mapCollectorStatus(source.status),
    createdAt: source.createdAt.toISOString(),
  };
}
