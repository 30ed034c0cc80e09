import { Injectable } from '@nestjs/common';
import { EventOutbox } from '@strata/messaging';
import { EntityManager } from 'typeorm';
import { ForecastRecord, ForecastsRepository, NewForecast } from '../repositories/forecasts.repository';
import { LbWeightsProposalsService } from './lb-weights-proposals.service';

/**
 * What follows from a forecast, in the transaction that stores it: the forecast kept, announced on
 * `forecasts`, and — for a per-node load forecast — the lb-weights proposal of its horizon made or
 * refined, so a forecast is never published without the proposal it implies (or the reason none).
 */
@Injectable()
export class ForecastPublication {
  constructor(
    private readonly forecasts: ForecastsRepository,
    private readonly events: EventOutbox,
    private readonly lbWeights: LbWeightsProposalsService,
  ) {}

  async publish(manager: EntityManager, forecast: NewForecast): Promise<ForecastRecord> {
    const record = await this.forecasts.insert(manager, forecast);
    const { choice } = forecast;
    await this.events.record(
      manager,
      this.events.create('io.strata.forecast.published.v1', forecast.labels.stack, {
        forecastId: record.id,
        seriesId: forecast.seriesId,
        series: forecast.labels,
        madeAt: record.madeAt,
        firstAt: record.firstAt,
        stepMs: forecast.stepMs,
        horizon: forecast.horizon,
        level: forecast.level,
        values: [...record.values],
        lower: [...record.lower],
        upper: [...record.upper],
        model: { kind: choice.kind, method: choice.method, reason: choice.reason, explanation: forecast.explanation },
        backtest: [...forecast.backtest],
      }),
    );
    await this.lbWeights.onForecast(manager, record);
    return record;
  }
}
