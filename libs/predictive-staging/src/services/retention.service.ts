import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Logger } from '@strata/observability';
import { PeriodicTask } from '@strata/runtime';
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
  private readonly task = new PeriodicTask(
    () => this.prune(Date.now()),
    (error) => this.logger.warn('pruning failed; will retry', { reason: String(error) }),
  );

  constructor(
    private readonly retention: RetentionRepository,
    private readonly transactions: PredictiveTransactions,
    @Inject(PREDICTIVE_STAGING_SETTINGS) private readonly settings: PredictiveStagingSettings,
  ) {}

  onApplicationBootstrap(): void {
    this.task.start(PRUNE_EVERY_MS);
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  prune(now: number): Promise<PrunedRows> {
    return this.retention.pruneBefore(this.transactions.reader, new Date(now - this.settings.retentionDays * DAY_MS));
  }
}
