import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Logger } from '@strata/observability';
import { PREDICTIVE_STAGING_SETTINGS, PredictiveStagingSettings } from '../config/predictive-staging-settings';
import { PrunedRows, RetentionRepository } from '../repositories/retention.repository';
import { PredictiveTransactions } from '../repositories/transactions';

const PRUNE_EVERY_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Keeps PREDICTIVE_RETENTION_DAYS of anomalies and forecasts, and forgets series silent for as
 * long. Every replica may prune: deleting what is already gone does no harm.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('predictive-retention');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly retention: RetentionRepository,
    private readonly transactions: PredictiveTransactions,
    @Inject(PREDICTIVE_STAGING_SETTINGS) private readonly settings: PredictiveStagingSettings,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.prune(Date.now()).catch((error: unknown) => this.logger.warn('pruning failed; will retry', { reason: (error as Error).message }));
    }, PRUNE_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  prune(now: number): Promise<PrunedRows> {
    return this.retention.pruneBefore(this.transactions.reader, new Date(now - this.settings.retentionDays * DAY_MS));
  }
}
