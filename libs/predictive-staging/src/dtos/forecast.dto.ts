import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ForecastFilter, ForecastRecord } from '../repositories/forecasts.repository';
import type { Page } from '../repositories/labelled-rows';
import { LabelQueryDto, SeriesLabelsDto, labelFilterOf, mapLabels } from './series-labels.dto';

export class ForecastQueryDto extends LabelQueryDto {}

export function forecastFilterOf(query: ForecastQueryDto): ForecastFilter {
  return labelFilterOf(query);
}

export class ForecastPointDto {
  @ApiProperty() at!: string;
  @ApiProperty() value!: number;
  @ApiProperty() lower!: number;
  @ApiProperty() upper!: number;
}

export class ForecastModelDto {
  @ApiProperty({ enum: ['lstm', 'baseline'] }) kind!: string;
  @ApiProperty({ description: 'The method in service: lstm, naive, seasonal-naive, ses, holt, holt-winters or theta' }) method!: string;
  @ApiProperty({ enum: ['lstm-beat-best-baseline', 'lstm-not-better', 'lstm-unavailable'] }) reason!: string;
  @ApiProperty({ example: 'LSTM backtest MASE 0.912 is 1.204× the best baseline holt-winters (MASE 0.757); the LSTM serves only below 1.00×, so holt-winters serves' })
  explanation!: string;
  @ApiProperty() bestBaseline!: string;
  @ApiProperty({ nullable: true, type: Number }) bestBaselineMase!: number | null;
  @ApiProperty({ nullable: true, type: Number }) lstmMase!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'LSTM MASE ÷ best baseline MASE' }) ratio!: number | null;
  @ApiProperty({ description: 'The LSTM serves only when ratio is below this' }) maxRatio!: number;
  @ApiProperty({ nullable: true, type: String, description: 'The saved LSTM that competed' }) lstmModelId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why no LSTM competed' }) lstmUnavailableBecause!: string | null;
}

export class MethodAccuracyDto {
  @ApiProperty() method!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'Mean absolute scaled error over the backtest origins' }) mase!: number | null;
  @ApiProperty({ nullable: true, type: Number }) smape!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Share of actual values inside the interval' }) coverage!: number | null;
}

export class ForecastResponseDto {
  @ApiProperty() id!: string;
  @ApiProperty() seriesId!: string;
  @ApiProperty({ type: SeriesLabelsDto }) series!: SeriesLabelsDto;
  @ApiProperty() madeAt!: string;
  @ApiProperty({ description: 'Milliseconds between forecast points (the KPI window length)' }) stepMs!: number;
  @ApiProperty() horizon!: number;
  @ApiProperty({ description: 'Central prediction interval level' }) level!: number;
  @ApiProperty({ description: 'Season length found in the history (1: none)' }) period!: number;
  @ApiProperty({ description: 'History values the forecast and backtests used' }) historyPoints!: number;
  @ApiProperty({ type: [ForecastPointDto] }) points!: ForecastPointDto[];
  @ApiProperty({ type: ForecastModelDto }) model!: ForecastModelDto;
  @ApiProperty({ type: [MethodAccuracyDto], description: 'Rolling-origin backtest of every method on this series' }) backtest!: MethodAccuracyDto[];
}

export class ForecastPageDto {
  @ApiProperty({ type: [ForecastResponseDto] }) items!: ForecastResponseDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

const finite = (value: number | null): number | null => (value === null || !Number.isFinite(value) ? null : value);

export function mapForecast(forecast: ForecastRecord): ForecastResponseDto {
  const { choice } = forecast;
  return {
    id: forecast.id,
    seriesId: forecast.seriesId,
    series: mapLabels(forecast.labels),
    madeAt: new Date(forecast.madeAt).toISOString(),
    stepMs: forecast.stepMs,
    horizon: forecast.horizon,
    level: forecast.level,
    period: forecast.period,
    historyPoints: forecast.historyPoints,
    points: forecast.values.map((value, h) => ({
      at: new Date(forecast.firstAt + h * forecast.stepMs).toISOString(),
      value,
      lower: forecast.lower[h] ?? value,
      upper: forecast.upper[h] ?? value,
    })),
    model: {
      kind: choice.kind,
      method: choice.method,
      reason: choice.reason,
      explanation: forecast.explanation,
      bestBaseline: choice.bestBaseline,
      bestBaselineMase: finite(choice.bestBaselineMase),
      lstmMase: finite(choice.lstmMase),
      ratio: finite(choice.ratio),
      maxRatio: choice.maxRatio,
      lstmModelId: forecast.lstmModelId,
      lstmUnavailableBecause: forecast.lstmError,
    },
    backtest: forecast.backtest.map((accuracy) => ({ ...accuracy })),
  };
}

export function mapForecastPage(page: Page<ForecastRecord>): ForecastPageDto {
  return { items: page.items.map(mapForecast), nextCursor: page.nextCursor };
}
