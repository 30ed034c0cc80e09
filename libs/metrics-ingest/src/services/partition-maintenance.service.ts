import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Logger } from '@strata/observability';
import { PeriodicTask } from '@strata/runtime';
import { METRICS_INGEST_SETTINGS, MetricsIngestSettings } from '../config/metrics-ingest-settings';
import { partitionsToCreate, partitionsToDrop } from '../domain/partitions';
import { PartitionsRepository } from '../repositories/partitions.repository';
import { IngestService } from './ingest.service';

export interface MaintenanceOutcome {
  created: string[];
  dropped: string[];
}

/** Keeps partitions ahead of the clock and drops whole partitions past retention. */
@Injectable()
export class PartitionMaintenanceService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('metrics-partitions');
  private readonly task = new PeriodicTask(
    () => this.runOnce(Date.now()),
    (error) => this.logger.error('partition maintenance failed; will retry', error),
  );

  constructor(
    private readonly partitions: PartitionsRepository,
    private readonly ingest: IngestService,
    @Inject(METRICS_INGEST_SETTINGS) private readonly settings: MetricsIngestSettings,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // The first pass before serving: samples of today need today's partition.
    await this.runOnce(Date.now());
    this.task.start(this.settings.maintenanceIntervalMs);
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  async runOnce(now: number): Promise<MaintenanceOutcome> {
    const before = new Set(await this.partitions.existing());
    const toCreate = partitionsToCreate(now, this.settings.retention).filter((partition) => !before.has(partition.name));
    await this.partitions.create(toCreate);
    const toDrop = partitionsToDrop([...before], now, this.settings.retention);
    await this.partitions.drop(toDrop);
    this.ingest.rememberPartitions(await this.partitions.existing());
    const outcome = { created: toCreate.map((partition) => partition.name), dropped: toDrop.map((partition) => partition.name) };
    if (outcome.created.length > 0 || outcome.dropped.length > 0) {
      this.logger.info('partitions maintained', { ...outcome });
    }
    return outcome;
  }
}
