import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Topics } from '@strata/contracts';
import { EventSubscriber } from '@strata/messaging';
import { MirrorTrialsRepository } from '../repositories/mirror-trials.repository';
import { AnomalyDetectionService } from '../services/anomaly-detection.service';

/**
 * Every KPI window goes through its series' detector (windows are keyed by series, so each series
 * stays in order), and the gateway's windows of a running mirrored trial's two stack configs are kept for its judge.
 */
@Injectable()
export class KpiWindowsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly subscriber: EventSubscriber,
    private readonly detection: AnomalyDetectionService,
    private readonly mirrorTrials: MirrorTrialsRepository,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.subscriber.subscribe('kpi-windows', [Topics.kpiWindows], {
      'io.strata.kpi.window.v1': async (event, manager) => {
        await this.detection.apply(manager, event.data);
        await this.mirrorTrials.record(manager, event.data);
      },
    });
  }
}
