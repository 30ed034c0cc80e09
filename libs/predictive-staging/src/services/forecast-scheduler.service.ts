import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Logger } from '@strata/observability';
import { dataSourceToken, migrationLockKey } from '@strata/persistence';
import { DataSource, QueryRunner } from 'typeorm';
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
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<ForecastRound> | null = null;
  private leaderConnection: QueryRunner | undefined;

  constructor(
    private readonly forecasting: ForecastingService,
    @Inject(dataSourceToken(PREDICTIVE_STAGING_SERVICE)) private readonly dataSource: DataSource,
    @Inject(PREDICTIVE_STAGING_SETTINGS) private readonly settings: PredictiveStagingSettings,
  ) {}

  onApplicationBootstrap(): void {
    if (this.settings.forecast.intervalMs === 0) return;
    this.timer = setInterval(() => void this.tick(), this.settings.forecast.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.round?.catch(() => undefined);
    await this.leaderConnection?.release().catch(() => undefined);
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
    try {
      if (this.round === null && (await this.isLeader())) {
        const outcome = await this.runRound();
        this.logger.info('forecast round done', { ...outcome });
      }
    } catch (error) {
      this.logger.warn('forecast round failed', { reason: (error as Error).message });
    }
  }

  private async isLeader(): Promise<boolean> {
    if (!this.leaderConnection || this.leaderConnection.isReleased) {
      this.leaderConnection = this.dataSource.createQueryRunner();
      await this.leaderConnection.connect();
    }
    const [row] = (await this.leaderConnection.query('SELECT pg_try_advisory_lock($1::bigint) AS leader', [migrationLockKey('predictive-staging:forecasts')])) as { leader: boolean }[];
    return row?.leader === true;
  }
}
