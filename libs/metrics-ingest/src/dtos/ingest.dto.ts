import { ApiHideProperty, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { KpiHistogram } from '@strata/contracts';
import { Expose, Transform, Type } from 'class-transformer';
import { Allow, ArrayMaxSize, ArrayMinSize, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { SamplePoint, SeriesBatch } from '../domain/series-batch';
import { IngestOutcome } from '../services/ingest.service';
import { MAX_HISTOGRAM_BUCKETS, MAX_KPI_MAGNITUDE } from '@strata/contracts';
import { IsHistogramArray, IsSampleArray, MAX_SAMPLES_PER_BATCH } from './sample-validation';

export const MAX_BATCHES_PER_REQUEST = 1_000;

export interface LabelRule {
  required: boolean;
  minLength: number;
  maxLength: number;
}

/** The Strata labels of a series and their limits: the DTO's decorators and SamplesBodyPipe both read them. */
export const SERIES_LABEL_RULES = {
  stack: { required: true, minLength: 1, maxLength: 63 },
  environment: { required: true, minLength: 1, maxLength: 63 },
  component: { required: true, minLength: 1, maxLength: 63 },
  stackConfig: { required: false, minLength: 1, maxLength: 200 },
  node: { required: false, minLength: 1, maxLength: 255 },
  metric: { required: true, minLength: 0, maxLength: 200 },
} as const satisfies Record<keyof SeriesLabelsDto, LabelRule>;
export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const METRIC_NAME_MESSAGE = 'metric must be a Prometheus-style metric name';

const rules = SERIES_LABEL_RULES;

export class SeriesLabelsDto {
  @ApiProperty({ example: 'checkout' }) @IsString() @MinLength(rules.stack.minLength) @MaxLength(rules.stack.maxLength) stack!: string;
  @ApiProperty({ example: 'production' }) @IsString() @MinLength(rules.environment.minLength) @MaxLength(rules.environment.maxLength) environment!: string;
  @ApiProperty({ example: 'checkout-api' }) @IsString() @MinLength(rules.component.minLength) @MaxLength(rules.component.maxLength) component!: string;
  @ApiPropertyOptional({ example: 'checkout@2026.11.3' })
  @IsOptional()
  @IsString()
  @MinLength(rules.stackConfig.minLength)
  @MaxLength(rules.stackConfig.maxLength)
  stackConfig?: string;
  @ApiPropertyOptional({ example: '10.0.0.7:8080' }) @IsOptional() @IsString() @MinLength(rules.node.minLength) @MaxLength(rules.node.maxLength) node?: string;
  @ApiProperty({ example: 'http_request_duration_seconds' })
  @IsString()
  @MaxLength(rules.metric.maxLength)
  @Matches(METRIC_NAME, { message: METRIC_NAME_MESSAGE })
  metric!: string;
}

/**
 * The limits the samples pipe and the contract enforce (firstSampleProblem, kpiHistogram): epoch
 * milliseconds are safe integers from 0; values are finite and within ±MAX_KPI_MAGNITUDE (rollups add them up).
 */
const EPOCH_MS = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const FINITE = { type: 'number', minimum: -MAX_KPI_MAGNITUDE, maximum: MAX_KPI_MAGNITUDE } as const;
const COUNT = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;

export class SamplePointDto {
  @ApiProperty({ ...EPOCH_MS, example: 1764201600000, description: 'Epoch milliseconds' }) timestamp!: number;
  @ApiProperty({ ...FINITE, example: 0.042 }) value!: number;
}

export class HistogramDto {
  @ApiProperty({ ...EPOCH_MS, example: 1764201600000 }) timestamp!: number;
  @ApiProperty({ type: 'array', items: { ...FINITE, nullable: true }, minItems: 1, maxItems: MAX_HISTOGRAM_BUCKETS, example: [0.01, 0.1, 1, null], description: 'Ascending upper bounds; null is +Inf' })
  bounds!: Array<number | null>;
  @ApiProperty({ type: 'array', items: COUNT, maxItems: MAX_HISTOGRAM_BUCKETS, example: [3, 10, 2, 0], description: 'Count per bucket, not cumulative' }) counts!: number[];
  @ApiProperty({ ...FINITE, example: 1.3 }) sum!: number;
  @ApiProperty({ ...COUNT, example: 15 }) count!: number;
}

export class SampleBatchDto {
  @ApiProperty({ type: SeriesLabelsDto })
  @ValidateNested()
  @Type(() => SeriesLabelsDto)
  series!: SeriesLabelsDto;

  /*
   * The samples as JSON.parse made them. The global ValidationPipe's class-transformer would copy
   * every one of up to 10 000 sample objects per batch — most of intake's CPU — for nothing:
   * IsSampleArray checks them by hand. class-transformer leaves alone a property the class only
   * has a getter for, so `samples` is one, reading the array that `receivedSamples` takes from the
   * request as it is (dtos/ingest.dto.spec.ts holds this against the real pipe).
   */
  @ApiProperty({ type: [SamplePointDto], maxItems: MAX_SAMPLES_PER_BATCH })
  @IsSampleArray()
  get samples(): SamplePoint[] {
    return this.receivedSamples;
  }

  @ApiHideProperty()
  @Allow()
  @Expose()
  @Transform(({ obj }: { obj: { samples?: SamplePoint[] } }) => obj.samples, { toClassOnly: true })
  receivedSamples!: SamplePoint[];

  @ApiPropertyOptional({ type: [HistogramDto], maxItems: 1_000 })
  @IsOptional()
  @IsHistogramArray()
  histograms?: KpiHistogram[];
}

export class IngestSamplesDto {
  @ApiProperty({ type: [SampleBatchDto], maxItems: MAX_BATCHES_PER_REQUEST })
  @ValidateNested({ each: true })
  @Type(() => SampleBatchDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCHES_PER_REQUEST)
  batches!: SampleBatchDto[];
}

/** Defaults for Prometheus series lacking a Strata label (query parameters of the Prometheus intakes). */
export class PrometheusDefaultsDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(63) stack?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(63) environment?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(63) component?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) stackConfig?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) node?: string;
}

export class IngestResultDto {
  @ApiProperty({ description: 'Distinct series the request touched' }) series!: number;
  @ApiProperty() samplesReceived!: number;
  @ApiProperty() samplesStored!: number;
  @ApiProperty({ description: 'Samples whose (series, timestamp) was already stored; the first written value is kept' }) samplesDuplicate!: number;
  @ApiProperty() histogramsReceived!: number;
  @ApiProperty() histogramsStored!: number;
  @ApiProperty() histogramsDuplicate!: number;
  @ApiProperty({ description: 'Prometheus samples with NaN (staleness markers included) or ±Inf values, not stored' }) samplesSkippedNonFinite!: number;
}

export function toSeriesBatches(dto: IngestSamplesDto): SeriesBatch[] {
  return dto.batches.map((batch, index) => ({
    labels: {
      stack: batch.series.stack,
      environment: batch.series.environment,
      component: batch.series.component,
      ...(batch.series.stackConfig !== undefined ? { stackConfig: batch.series.stackConfig } : {}),
      ...(batch.series.node !== undefined ? { node: batch.series.node } : {}),
      metric: batch.series.metric,
    },
    samples: batch.samples,
    histograms: batch.histograms ?? [],
    path: `batches[${index}]`,
  }));
}

export function mapIngestOutcome(outcome: IngestOutcome & { samplesSkippedNonFinite?: number }): IngestResultDto {
  return {
    series: outcome.series,
    samplesReceived: outcome.samplesReceived,
    samplesStored: outcome.samplesStored,
    samplesDuplicate: outcome.samplesDuplicate,
    histogramsReceived: outcome.histogramsReceived,
    histogramsStored: outcome.histogramsStored,
    histogramsDuplicate: outcome.histogramsDuplicate,
    samplesSkippedNonFinite: outcome.samplesSkippedNonFinite ?? 0,
  };
}
