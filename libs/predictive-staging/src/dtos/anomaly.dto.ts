import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { ReportedSeverity } from '../config/predictive-staging-settings';
import type { AnomalyFilter, AnomalyRecord } from '../repositories/anomalies.repository';
import type { Page } from '../repositories/labelled-rows';
import { LabelQueryDto, SeriesLabelsDto, labelFilterOf, mapLabels } from './series-labels.dto';

const SEVERITIES: readonly ReportedSeverity[] = ['low', 'medium', 'high', 'critical'];

export class AnomalyQueryDto extends LabelQueryDto {
  @ApiPropertyOptional({ enum: SEVERITIES, description: 'Only anomalies of this severity or worse' })
  @IsOptional()
  @IsIn(SEVERITIES, { message: `severity must be one of ${SEVERITIES.join(', ')}` })
  severity?: ReportedSeverity;
}

export function anomalyFilterOf(query: AnomalyQueryDto): AnomalyFilter {
  return { ...labelFilterOf(query), ...(query.severity === undefined ? {} : { minSeverity: query.severity }) };
}

export class AnomalyWindowDto {
  @ApiProperty({ description: 'Epoch milliseconds' }) start!: number;
  @ApiProperty({ description: 'Epoch milliseconds' }) end!: number;
  @ApiProperty({ enum: ['mean', 'sum'], description: 'The aggregate observed: a counter by its total, others by their mean' }) value!: string;
  @ApiProperty() count!: number;
  @ApiProperty({ nullable: true, type: Number }) mean!: number | null;
  @ApiProperty({ nullable: true, type: Number }) min!: number | null;
  @ApiProperty({ nullable: true, type: Number }) max!: number | null;
  @ApiProperty({ nullable: true, type: Number }) p99!: number | null;
}

export class AnomalyEvidenceDto {
  @ApiProperty() observed!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'The baseline forecast nearest the observation' }) expected!: number | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number', nullable: true }, description: 'Each baseline forecast (null: not ready)' })
  baselines!: Record<string, number | null>;
  @ApiProperty({ description: 'Robust z of the best-explaining baseline residual' }) zScore!: number;
  @ApiProperty({ description: 'Anomaly likelihood of recent surprise, [0, 1]' }) likelihood!: number;
  @ApiProperty({ description: 'Level-shift evidence (CUSUM), [0, 1]' }) changeEvidence!: number;
  @ApiProperty() changePoint!: boolean;
  @ApiProperty({ nullable: true, type: Number, description: 'Seasonal period in windows' }) period!: number | null;
  @ApiProperty() windowsSeen!: number;
  @ApiProperty({ type: AnomalyWindowDto }) window!: AnomalyWindowDto;
}

export class AnomalyResponseDto {
  @ApiProperty() id!: string;
  @ApiProperty() seriesId!: string;
  @ApiProperty({ type: SeriesLabelsDto }) series!: SeriesLabelsDto;
  @ApiProperty({ description: 'End of the anomalous window' }) at!: string;
  @ApiProperty({ description: '[0, 1]' }) score!: number;
  @ApiProperty({ enum: SEVERITIES }) severity!: string;
  @ApiProperty({ type: AnomalyEvidenceDto }) evidence!: AnomalyEvidenceDto;
  @ApiProperty() detectedAt!: string;
}

export class AnomalyPageDto {
  @ApiProperty({ type: [AnomalyResponseDto] }) items!: AnomalyResponseDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

export function mapAnomaly(anomaly: AnomalyRecord): AnomalyResponseDto {
  return {
    id: anomaly.id,
    seriesId: anomaly.seriesId,
    series: mapLabels(anomaly.labels),
    at: new Date(anomaly.at).toISOString(),
    score: anomaly.score,
    severity: anomaly.severity,
    evidence: { ...anomaly.evidence, baselines: { ...anomaly.evidence.baselines }, window: { ...anomaly.evidence.window } },
    detectedAt: anomaly.detectedAt.toISOString(),
  };
}

export function mapAnomalyPage(page: Page<AnomalyRecord>): AnomalyPageDto {
  return { items: page.items.map(mapAnomaly), nextCursor: page.nextCursor };
}
