import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Logger, metricsRegistry } from '@strata/observability';
import { PeriodicTask } from '@strata/runtime';
import { Counter } from 'prom-client';
import { CollectorSettings, DEFAULT_COLLECTOR_SETTINGS, METRICS_INGEST_SETTINGS, MetricsIngestSettings } from '../config/metrics-ingest-settings';
import { PostgresTargetRecord, PostgresTargetsRepository } from '../repositories/postgres-targets.repository';
import { QuerySourceRecord, QuerySourcesRepository } from '../repositories/query-sources.repository';
import { PostgresCollector } from './postgres-collector.service';
import { QuerySourceRunner } from './query-source-runner.service';

const runsCounter = new Counter({
  name: 'strata_metrics_collector_runs_total',
  help: 'Runs of Prometheus query sources and PostgreSQL targets, by collector and outcome (ok, error)',
  labelNames: ['collector', 'outcome'] as const,
  registers: [metricsRegistry],
});

/**
 * Every tick, claims the query sources and PostgreSQL targets that are due and runs them, at most
 * `concurrency` at once per replica. A run never throws out of here: its failure is recorded on
 * the source or target and it is retried next interval.
 */
@Injectable()
export class CollectorSchedulerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('metrics-collectors');
  private readonly settings: CollectorSettings;
  // A slow round (a Prometheus timing out) is joined by the next tick, not overlapped.
  private readonly task = new PeriodicTask(
    () => this.runDue(),
    (error) => this.logger.error('collector round failed; will retry', error),
  );
  private sourcesFirst = true;

  constructor(
    private readonly sources: QuerySourcesRepository,
    private readonly targets: PostgresTargetsRepository,
    private readonly sourceRunner: QuerySourceRunner,
    private readonly postgres: PostgresCollector,
    @Inject(METRICS_INGEST_SETTINGS) settings: MetricsIngestSettings,
  ) {
    this.settings = settings.collectors ?? DEFAULT_COLLECTOR_SETTINGS;
  }

  onApplicationBootstrap(): void {
    if (!this.settings.enabled) {
      return;
    }
    this.task.start(this.settings.tickMs);
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** Runs what is due now; resolves with how many sources and targets ran. */
  async runDue(): Promise<{ sources: number; targets: number }> {
    // Long enough to cover a request that times out plus storing; a dead replica's lease expires.
    const leaseMs = this.settings.requestTimeoutMs * 2 + 60_000;
    // Each kind claims first every other round, so many busy sources cannot starve the targets.
    this.sourcesFirst = !this.sourcesFirst;
    const { concurrency } = this.settings;
    let sources: QuerySourceRecord[] = [];
    let targets: PostgresTargetRecord[] = [];
    if (this.sourcesFirst) {
      sources = await this.sources.claimDue(concurrency, leaseMs);
      targets = await this.targets.claimDue(concurrency - sources.length, leaseMs);
    } else {
      targets = await this.targets.claimDue(concurrency, leaseMs);
      sources = await this.sources.claimDue(concurrency - targets.length, leaseMs);
    }
    await Promise.all([
      ...sources.map(async (source) => runsCounter.inc({ collector: 'prometheus-query', outcome: (await this.sourceRunner.run(source)) ? 'ok' : 'error' })),
      ...targets.map(async (target) => runsCounter.inc({ collector: 'postgres', outcome: (await this.postgres.run(target)) ? 'ok' : 'error' })),
    ]);
    return { sources: sources.length, targets: targets.length };
  }
}
