import { Injectable } from '@nestjs/common';
import { DomainError } from '@strata/domain';
import { AnomaliesRepository, AnomalyFilter, AnomalyRecord } from '../repositories/anomalies.repository';
import { ForecastFilter, ForecastRecord, ForecastsRepository } from '../repositories/forecasts.repository';
import { Page } from '../repositories/labelled-rows';
import { PredictiveTransactions } from '../repositories/transactions';

function checkRange(filter: { from?: number; to?: number }): void {
  if (filter.from !== undefined && filter.to !== undefined && filter.to <= filter.from) {
    throw DomainError.invalid('to must be after from', [{ field: 'to', message: 'must be after from' }]);
  }
}

/** Reads of what the service derived: anomalies and forecasts. */
@Injectable()
export class PredictiveQueriesService {
  constructor(
    private readonly anomalies: AnomaliesRepository,
    private readonly forecasts: ForecastsRepository,
    private readonly transactions: PredictiveTransactions,
  ) {}

  searchAnomalies(filter: AnomalyFilter, limit: number, before: string | undefined): Promise<Page<AnomalyRecord>> {
    checkRange(filter);
    return this.anomalies.search(this.transactions.reader, filter, limit, before);
  }

  async anomaly(id: string): Promise<AnomalyRecord> {
    return (await this.anomalies.findById(this.transactions.reader, id)) ?? Promise.reject(DomainError.notFound('anomaly', id));
  }

  searchForecasts(filter: ForecastFilter, limit: number, before: string | undefined): Promise<Page<ForecastRecord>> {
    checkRange(filter);
    return this.forecasts.search(this.transactions.reader, filter, limit, before);
  }

  async forecast(id: string): Promise<ForecastRecord> {
    return (await this.forecasts.findById(this.transactions.reader, id)) ?? Promise.reject(DomainError.notFound('forecast', id));
  }

  async latestForecast(seriesId: string): Promise<ForecastRecord> {
    const page = await this.forecasts.search(this.transactions.reader, { seriesId }, 1, undefined);
    return page.items[0] ?? Promise.reject(DomainError.notFound('forecast of series', seriesId));
  }
}
