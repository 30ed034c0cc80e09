import { Inject, Injectable } from '@nestjs/common';
import { postgresUrl } from '@strata/config';
import { DEFAULT_COLLECTOR_SETTINGS, METRICS_INGEST_SETTINGS, MetricsIngestSettings } from '../config/metrics-ingest-settings';
import { statementBatches, statementDeltas } from '../collectors/statement-deltas';
import { PostgresTargetRecord, PostgresTargetsRepository } from '../repositories/postgres-targets.repository';
import { StatementStatsRepository } from '../repositories/statement-stats.repository';
import { IngestService } from './ingest.service';

/**
 * One scrape of a registered database's pg_stat_statements: the counters are compared with the
 * last scrape's (statementDeltas) and what ran in between is stored. The baseline moves only once
 * the samples are stored, so a failed scrape loses nothing: the next one covers both intervals.
 */
@Injectable()
export class PostgresCollector {
  constructor(
    private readonly targets: PostgresTargetsRepository,
    private readonly stats: StatementStatsRepository,
    private readonly ingest: IngestService,
    @Inject(METRICS_INGEST_SETTINGS) private readonly settings: MetricsIngestSettings,
  ) {}

  /** Returns false when the scrape failed (the error is on the target). */
  async run(target: PostgresTargetRecord): Promise<boolean> {
    const collectors = this.settings.collectors ?? DEFAULT_COLLECTOR_SETTINGS;
    try {
      const scrape = await this.stats.scrape(this.connectionUrl(target), collectors.requestTimeoutMs);
      const scrapedAt = Date.now();
      const result = statementDeltas(target.baseline, scrape);
      const kept = result.deltas.slice(0, collectors.maxStatementsPerScrape);
      const batches = statementBatches({ ...target.labels, target: target.name, database: scrape.database }, kept, scrapedAt);
      const stored = batches.length > 0 ? await this.ingest.ingest(batches, 'postgres-statements') : null;
      await this.targets.finishRun(target.id, {
        error: null,
        baseline: scrape,
        outcome: {
          baseline: result.baseline,
          reset: result.reset,
          statementsTracked: scrape.statements.size,
          statementsRan: result.deltas.length,
          statementsStored: kept.length,
          samplesStored: stored?.samplesStored ?? 0,
        },
      });
      return true;
    } catch (error) {
      await this.targets.finishRun(target.id, { error: (error as Error).message.slice(0, 2_000), outcome: null, baseline: null });
      return false;
    }
  }

  /** Read at each scrape, so a rotated secret is picked up without re-registering. */
  private connectionUrl(target: PostgresTargetRecord): string {
    if (target.url !== null) {
      return target.url;
    }
    const url = target.urlFrom === null ? undefined : process.env[target.urlFrom];
    if (!url) {
      throw new Error(`environment variable ${target.urlFrom ?? '(none)'} is not set in metrics-ingest`);
    }
    // Never handed to the driver otherwise: its errors, kept in the target's status, would show what another variable holds.
    if (!postgresUrl.safeParse(url).success) {
      throw new Error(`environment variable ${target.urlFrom} does not hold a postgres:// or postgresql:// URL`);
    }
    return url;
  }
}
