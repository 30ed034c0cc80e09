import { Inject, Injectable } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '@strata/domain';
import { PREDICTIVE_STAGING_SETTINGS, PredictiveStagingSettings } from '../config/predictive-staging-settings';
import { type ForecastPolicy, backtestBaselines, composeForecast } from '../domain/forecast-plan';
import { ForecastRecord } from '../repositories/forecasts.repository';
import { SeriesPoint, SeriesRepository } from '../repositories/series.repository';
import { PredictiveTransactions } from '../repositories/transactions';
import { ForecastPublication } from './forecast-publication.service';
import { LstmModelsService } from './lstm-models.service';
import { forecastsMade } from './predictive-metrics';

/** Time between consecutive values, for series whose windows have not said (the median gap). */
function typicalStep(points: readonly SeriesPoint[]): number {
  const gaps = points.slice(1).map((point, i) => point.at - (points[i]?.at ?? point.at)).sort((a, b) => a - b);
  return Math.max(1, gaps[Math.floor(gaps.length / 2)] ?? 1);
}

/**
 * Forecasts one series: backtests every baseline (and the LSTM where enabled and the history is
 * long enough) on the same rolling origins, serves the LSTM only where it beat the best baseline,
 * and stores and publishes the forecast (and what follows from it) in one transaction.
 */
@Injectable()
export class ForecastingService {
  /** One forecast per series at a time: a request during a scheduled run shares its result. */
  private readonly inFlight = new Map<string, Promise<ForecastRecord>>();

  constructor(
    private readonly series: SeriesRepository,
    private readonly publication: ForecastPublication,
    private readonly lstm: LstmModelsService,
    private readonly transactions: PredictiveTransactions,
    @Inject(PREDICTIVE_STAGING_SETTINGS) private readonly settings: PredictiveStagingSettings,
  ) {}

  forecast(seriesId: string, now = Date.now()): Promise<ForecastRecord> {
    const running = this.inFlight.get(seriesId);
    if (running) return running;
    const started = this.run(seriesId, now).finally(() => this.inFlight.delete(seriesId));
    this.inFlight.set(seriesId, started);
    return started;
  }

  /** Series with enough history to be forecast. */
  forecastable(): Promise<string[]> {
    return this.series.forecastable(this.transactions.reader, this.settings.forecast.minPoints);
  }

  private async run(seriesId: string, now: number): Promise<ForecastRecord> {
    const series = await this.series.find(this.transactions.reader, seriesId);
    if (series === null) throw DomainError.notFound('series', seriesId);
    const points = await this.series.history(this.transactions.reader, seriesId, this.settings.historyPoints);
    const { minPoints, horizon, origins, level, maxLstmRatio } = this.settings.forecast;
    if (points.length < minPoints) {
      throw new DomainError(DomainErrorCode.PreconditionFailed, `series '${seriesId}' has ${points.length} values; a forecast needs at least ${minPoints} (PREDICTIVE_FORECAST_MIN_POINTS)`);
    }
    const policy: ForecastPolicy = { horizon, origins, level, maxLstmRatio };
    const values = points.map((point) => point.value);
    const baselines = await backtestBaselines(values, policy, () => new Promise((resolve) => setImmediate(resolve)));
    const outcome = await this.lstm.compete(seriesId, points, baselines, policy, now);
    try {
      const composed = composeForecast(values, baselines, outcome.ok ? outcome.lstm : null, policy);
      const stepMs = series.stepMs ?? typicalStep(points);
      const last = points[points.length - 1]?.at ?? now;
      const stored = await this.transactions.run((manager) =>
        this.publication.publish(manager, {
          seriesId,
          labels: series.labels,
          madeAt: now,
          firstAt: last + stepMs,
          stepMs,
          horizon,
          level,
          period: composed.period,
          historyPoints: points.length,
          values: composed.forecast.mean,
          lower: composed.forecast.lower,
          upper: composed.forecast.upper,
          choice: composed.choice,
          explanation: composed.explanation,
          backtest: composed.accuracy,
          lstmModelId: outcome.ok ? outcome.lstm.modelId : null,
          lstmError: outcome.ok ? null : outcome.reason,
        }),
      );
      forecastsMade.inc({ kind: composed.choice.kind, reason: composed.choice.reason });
      return stored;
    } finally {
      if (outcome.ok) outcome.lstm.dispose();
    }
  }
}
