import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/**
 * Query filters on a KPI series' labels (the lengths of `kpiSeriesLabels` in contracts), for every
 * API that lists things by series: series, anomalies, forecasts.
 */
export class KpiLabelFilterDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(63) stack?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(63) environment?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(63) component?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) stackConfig?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) metric?: string;
}
