import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Logger } from '@strata/observability';
import { AdvisoryLeader, dataSourceToken } from '@strata/persistence';
import { PeriodicTask } from '@strata/runtime';
import { DataSource } from 'typeorm';
import { PREDICTIVE_STAGING_SETTINGS, PredictiveStagingSettings } from '../config/predictive-staging-settings';
import { PREDICTIVE_STAGING_SERVICE } from '../database/predictive-staging-schema';
import { ForecastingService } from './forecasting.service';

export interface ForecastRound {
  forecast: number;
  failed: number;
}

/**
 * Forecasts every series with enough history every PREDICTIVE_FORECAST_INTERVAL_MS (0: never;
 * POST /v1/series/:id/forecasts still works). One replica runs the rounds: the one holding a
 * session advisory lock. Series are forecast one after another, so one round trains at most one
 * LSTM at a time.
 */
@Injectable()
export class ForecastSchedulerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('forecast-scheduler');
  private round: Promise<ForecastRound> | null = null;
  private readonly leader: AdvisoryLeader;
  private readonly ticks = new PeriodicTask(
    () => this.tick(),
    (error) => this.logger.warn('forecast round failed', { reason: String(error) }),
  );

  constructor(
    private readonly forecasting: ForecastingService,
    @Inject(dataSourceToken(PREDICTIVE_STAGING_SERVICE)) dataSource: DataSource,
    @Inject(PREDICTIVE_STAGING_SETTINGS) private readonly settings: PredictiveStagingSettings,
  ) {
    this.leader = new AdvisoryLeader(dataSource, 'predictive-staging:forecasts');
  }

  onApplicationBootstrap(): void {
    this.ticks.start(this.settings.forecast.intervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    // The tick in flight first (it may be starting a round), then a round started by hand.
    await this.ticks.stop();
    await this.round?.catch(() => undefined);
    await this.leader.release();
  }

  /** Forecasts every forecastable series now; a round already running is joined, not doubled. */
  runRound(): Promise<ForecastRound> {
    this.round ??= this.forecastAll().finally(() => {
      this.round = null;
    });
    return this.round;
  }

  private async forecastAll(): Promise<ForecastRound> {
    const outcome: ForecastRound = { forecast: 0, failed: 0 };
    for (const seriesId of await this.forecasting.forecastable()) {
      try {
        await this.forecasting.forecast(seriesId);
        outcome.forecast++;
      } catch (error) {
        outcome.failed++;
        this.logger.warn('forecast failed', { seriesId, reason: (error as Error).message });
      }
    }
    return outcome;
  }

  private async tick(): Promise<void> {
    if (this.round === null && (await this.leader.isLeader())) {
      const outcome = await this.runRound();
      this.logger.info('forecast round done', { ...outcome });
    }
  }
}
