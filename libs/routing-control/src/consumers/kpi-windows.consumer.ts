import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Topics } from '@strata/contracts';
import { EventSubscriber } from '@strata/messaging';
import { ANALYSED_METRICS, KpiWindowsRepository } from '../repositories/kpi-windows.repository';
import { TrafficRulesService } from '../services/traffic-rules.service';

/** Keeps the gateway KPI windows that rollout analyses and traffic rules compare, per stack config, and runs the traffic rules. */
@Injectable()
export class KpiWindowsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly subscriber: EventSubscriber,
    private readonly kpiWindows: KpiWindowsRepository,
    private readonly rules: TrafficRulesService,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.subscriber.subscribe('kpi-windows', [Topics.kpiWindows], {
      'io.strata.kpi.window.v1': async (event, manager) => {
        if (this.kpiWindows.isAnalysed(event.data)) {
          await this.kpiWindows.record(manager, event.data);
        }
        // Traffic rules are evaluated as request windows arrive: every window of traffic is a chance to act.
        if (event.data.series.metric === ANALYSED_METRICS.requests) {
          await this.rules.evaluate(manager, event.data);
        }
      },
    });
  }
}
