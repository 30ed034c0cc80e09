import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { KpiSeriesLabels } from '@strata/contracts';
import { KpiLabelFilterDto } from '@strata/observability';
import { Type } from 'class-transformer';
import { IsISO8601, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export class SeriesLabelsDto {
  @ApiProperty() stack!: string;
  @ApiProperty() environment!: string;
  @ApiProperty() component!: string;
  @ApiProperty({ nullable: true, type: String }) stackConfig!: string | null;
  @ApiProperty({ nullable: true, type: String }) node!: string | null;
  @ApiProperty() metric!: string;
}

export function mapLabels(labels: KpiSeriesLabels): SeriesLabelsDto {
  return { stack: labels.stack, environment: labels.environment, component: labels.component, stackConfig: labels.stackConfig ?? null, node: labels.node ?? null, metric: labels.metric };
}

/** Filters shared by the anomaly and forecast lists: series labels, a time range and a page. */
export class LabelQueryDto extends KpiLabelFilterDto {
  @ApiPropertyOptional({ description: "metrics-ingest's series id" }) @IsOptional() @IsString() @MaxLength(200) seriesId?: string;

  @ApiPropertyOptional({ description: 'ISO 8601 time, inclusive', example: '2026-11-27T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 time' })
  from?: string;

  @ApiPropertyOptional({ description: 'ISO 8601 time, exclusive', example: '2026-11-28T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 time' })
  to?: string;

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 100;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page (pages run newest first)' })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'after must be a cursor returned as nextCursor' })
  after?: string;
}

export function labelFilterOf(query: LabelQueryDto): { seriesId?: string; stack?: string; environment?: string; component?: string; stackConfig?: string; metric?: string; from?: number; to?: number } {
  const { seriesId, stack, environment, component, stackConfig, metric } = query;
  const defined = Object.entries({ seriesId, stack, environment, component, stackConfig, metric }).filter(([, value]) => value !== undefined);
  return {
    ...Object.fromEntries(defined),
    ...(query.from === undefined ? {} : { from: Date.parse(query.from) }),
    ...(query.to === undefined ? {} : { to: Date.parse(query.to) }),
  };
}

export class NumericIdParamDto {
  @ApiProperty({ example: '42' })
  @Matches(/^\d{1,18}$/, { message: 'id must be a numeric id' })
  id!: string;
}

export class SeriesIdParamDto {
  @ApiProperty({ description: "metrics-ingest's series id (URL-encoded)", example: '42' })
  @IsString()
  @MaxLength(200)
  seriesId!: string;
}
