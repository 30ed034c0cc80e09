import { GatewayFallbackChangedV1, KpiSamplesV1, Topics } from '@strata/contracts';
import { EventBus, OutgoingMessage, newEvent } from '@strata/messaging';
import { Logger } from '@strata/observability';
import { seriesKey } from './traffic-stats';

export const GATEWAY_SERVICE = 'gateway';

/** Where the gateway's reports go: the bus in one process, the supervisor from a cluster worker. */
export type ReportSink = (messages: OutgoingMessage[]) => void;

/** A sink that publishes on the bus, never awaited: with the bus down, that interval's reports are dropped. */
export function busReportSink(bus: EventBus, logger: Logger): ReportSink {
  return (messages) => {
    bus.publish(messages).catch((error: unknown) => logger.warn('could not publish to the bus', { error: String(error), messages: messages.length }));
  };
}

export function kpiMessage(stack: string, data: KpiSamplesV1): OutgoingMessage {
  const event = newEvent({ type: 'io.strata.kpi.samples.v1', service: GATEWAY_SERVICE, subject: stack, data });
  return { topic: Topics.kpiSamples, key: seriesKey(data.series), value: JSON.stringify(event) };
}

export function fallbackChangedMessage(change: GatewayFallbackChangedV1): OutgoingMessage {
  const event = newEvent({ type: 'io.strata.routing.gateway.fallback.changed.v1', service: GATEWAY_SERVICE, subject: change.stack, data: change });
  return { topic: Topics.routingEvents, key: change.stack, value: JSON.stringify(event) };
}

/** Logs a change of routing mode (fallback or panic entered or left) or of the configs without an available node, and says it on the bus. */
export function reportRoutingModeChange(change: GatewayFallbackChangedV1 | undefined, report: ReportSink, logger: Logger): void {
  if (!change) {
    return;
  }
  const log = { stack: change.stack, mode: change.mode, previousMode: change.previousMode, unavailableConfigs: change.unavailableConfigs, servingConfigs: change.servingConfigs, reason: change.reason };
  if (change.mode === 'normal' && change.previousMode !== 'normal') {
    logger.info('routing mode back to normal', log);
  } else if (change.mode === 'normal') {
    // Still normal: only which configs have an available node changed (routing-control holds a canary's steps on it).
    logger.info(change.unavailableConfigs.length > 0 ? 'stack configs without an available node' : 'every stack config has an available node again', log);
  } else {
    logger.warn(`routing mode ${change.mode}`, log);
  }
  report([fallbackChangedMessage(change)]);
}
