import { KpiSamplesV1 } from '@strata/contracts';
import { OutgoingMessage } from '@strata/messaging';
import { CompiledRoutingPolicy } from './compiled-routing-policy';
import { Clock } from './clock';
import { ReportSink, kpiMessage } from './gateway-events';

/**
 * The KPI stats sink: once per flush period, each node's traffic since the last flush (per stack
 * config and node, its mirror traffic apart) becomes `kpi.samples` messages, and the routing's
 * scores are updated from it. A replaced routing is flushed one last time, so the seconds before a
 * config change are not lost.
 */
export class KpiFlushSink {
  private retired: CompiledRoutingPolicy[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly report: ReportSink,
    /** After the scores of the routing served changed: its mode may have changed too. */
    private readonly onScoresUpdated: (routing: CompiledRoutingPolicy) => void,
  ) {}

  /** A routing no longer served; its last counts go out with the next flush. */
  retire(routing: CompiledRoutingPolicy): void {
    this.retired.push(routing);
  }

  /** `served`: the routing of each virtual host that has one. */
  flush(served: readonly CompiledRoutingPolicy[]): void {
    const now = this.clock.now();
    const messages: OutgoingMessage[] = [];
    const routings = [...this.retired, ...served];
    const retiredCount = this.retired.length;
    this.retired = [];
    for (const [index, routing] of routings.entries()) {
      routing.updateScores();
      if (index >= retiredCount) {
        this.onScoresUpdated(routing);
      }
      this.collect(routing, now, messages);
    }
    if (messages.length > 0) {
      this.report(messages);
    }
  }

  private collect(routing: CompiledRoutingPolicy, now: number, messages: OutgoingMessage[]): void {
    const { stack, environment, config } = routing.update;
    for (const node of routing.nodes) {
      const labels = { stack, environment, component: config.component, stackConfig: routing.router.names[node.stackConfigIndex], node: node.id };
      const samples = [...node.stats.toSamples(labels, 'gateway_', now), ...node.mirrorStats.toSamples(labels, 'gateway_mirror_', now)];
      node.stats.reset();
      node.mirrorStats.reset();
      samples.forEach((data) => messages.push(kpiMessage(stack, data)));
    }
    if (routing.deniedRequests > 0) {
      const data: KpiSamplesV1 = {
        series: { stack, environment, component: config.component, metric: 'gateway_denied_requests_total' },
        samples: [{ timestamp: now, value: routing.deniedRequests }],
      };
      routing.deniedRequests = 0;
      messages.push(kpiMessage(stack, data));
    }
  }
}
