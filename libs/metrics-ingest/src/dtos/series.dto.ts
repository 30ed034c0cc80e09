import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { KpiLabelFilterDto } from '@strata/observability';
import { AGGREGATIONS, Aggregation, RangeSource } from '../domain/range-aggregation';
import { SeriesRecord } from '../repositories/series.repository';
import { MAX_RANGE_STEP_MS, RangeResult } from '../services/series-query.service';

export class SeriesSearchQueryDto extends KpiLabelFilterDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) node?: string;

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 100;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page' })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'after must be a series id' })
  after?: string;
}

export class SeriesIdParamDto {
  @ApiProperty({ example: '42' })
  @Matches(/^\d{1,18}$/, { message: 'id must be a series id' })
  id!: string;
}

export class RangeQueryDto {
  @ApiProperty({ description: 'Epoch milliseconds, inclusive' }) @Type(() => Number) @IsInt() @Min(0) @Max(Number.MAX_SAFE_INTEGER) start!: number;
  @ApiProperty({ description: 'Epoch milliseconds, exclusive' }) @Type(() => Number) @IsInt() @Min(0) @Max(Number.MAX_SAFE_INTEGER) end!: number;
  @ApiProperty({ description: 'Milliseconds; a multiple of 60000 reads 1-minute rollups, of 10000 10-second rollups, else raw samples' })
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(MAX_RANGE_STEP_MS)
  step!: number;

  @ApiPropertyOptional({ enum: AGGREGATIONS, default: 'avg' })
  @IsOptional()
  @IsIn(AGGREGATIONS)
  aggregation: Aggregation = 'avg';
}

export class SeriesLabelsResponseDto {
  @ApiProperty() stack!: string;
  @ApiProperty() environment!: string;
  @ApiProperty() component!: string;
  @ApiProperty({ nullable: true, type: String }) stackConfig!: string | null;
  @ApiProperty({ nullable: true, type: String }) node!: string | null;
  @ApiProperty() metric!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'Labels beyond the Strata ones (from Prometheus)' })
  extra!: Record<string, string>;
}

export class SeriesResponseDto {
  @ApiProperty() id!: string;
  @ApiProperty({ type: SeriesLabelsResponseDto }) labels!: SeriesLabelsResponseDto;
  @ApiProperty() createdAt!: string;
}

export class SeriesPageDto {
  @ApiProperty({ type: [SeriesResponseDto] }) items!: SeriesResponseDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

export class RangePointDto {
  @ApiProperty({ description: 'Start of the step, epoch milliseconds' }) timestamp!: number;
  @ApiProperty() value!: number;
}

export class RangeResponseDto {
  @ApiProperty({ type: SeriesResponseDto }) series!: SeriesResponseDto;
  @ApiProperty({ enum: AGGREGATIONS }) aggregation!: Aggregation;
  @ApiProperty() step!: number;
  @ApiProperty({ enum: ['raw', 'rollup-10s', 'rollup-1m'] }) source!: RangeSource;
  @ApiProperty({ type: [RangePointDto], description: 'Steps without samples are absent' }) points!: RangePointDto[];
}

export function mapSeries(series: SeriesRecord): SeriesResponseDto {
  return {
    id: series.id,
    labels: {
      stack: series.labels.stack,
      environment: series.labels.environment,
      component: series.labels.component,
      stackConfig: series.labels.stackConfig ?? null,
      node: series.labels.node ?? null,
      metric: series.labels.metric,
      extra: series.labels.extra ?? {},
    },
    createdAt: series.createdAt.toISOString(),
  };
}

export function mapRange(result: RangeResult, query: RangeQueryDto): RangeResponseDto {
  return { series: mapSeries(result.series), aggregation: query.aggregation, step: query.step, source: result.source, points: result.points };
}
