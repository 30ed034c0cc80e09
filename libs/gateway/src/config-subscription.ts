import { RoutingConfigPublishedV1, Topics } from '@strata/contracts';
import { EventBus, SubscriptionHandle, createEventProcessor, newEvent } from '@strata/messaging';
import { Logger } from '@strata/observability';
import { GATEWAY_SERVICE } from './gateway-events';
import { RoutingPolicyOutcome } from './routing-policy-update';

export interface ConfigSubscriptionOptions {
  gatewayId: string;
  bus: EventBus;
  /** Whether a published config is this gateway's to apply (routing.events carries every stack's). */
  accepts(published: RoutingConfigPublishedV1): boolean;
  /** Applies it: the ACK or the NACK to answer with. */
  apply(published: RoutingConfigPublishedV1): RoutingPolicyOutcome;
  /** How long to wait between attempts to join the bus while it is down. */
  retryMs: number;
  logger: Logger;
}

/**
 * The config subscription (Envoy's xDS subscription): joins `routing.events` as the gateway's own
 * consumer group, applies each published config meant for it and answers with the ACK
 * (`config.applied`) or the NACK (`config.rejected`). The answer is awaited: if it cannot be
 * published the event is redelivered, and applying the same version again only repeats the answer.
 * While the bus is down it keeps trying, and the gateway serves its last-known-good config.
 */
export class ConfigSubscription {
  private subscription: SubscriptionHandle | undefined;
  private stopped = false;

  constructor(private readonly options: ConfigSubscriptionOptions) {}

  /** Joins in the background: never awaited, a gateway whose bus is down still serves. */
  start(): void {
    void this.join();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription?.stop().catch((error: unknown) => this.options.logger.warn('could not leave the bus cleanly', { error: String(error) }));
  }

  private async join(): Promise<void> {
    const { bus, gatewayId, logger } = this.options;
    const groupId = `strata-gateway.${gatewayId}`;
    while (!this.stopped) {
      try {
        this.subscription = await bus.subscribe({
          groupId,
          topics: [Topics.routingEvents],
          handler: createEventProcessor({
            groupId,
            bus,
            handlers: { 'io.strata.routing.config.published.v1': (event) => this.onPublished(event.data) },
          }),
        });
        if (this.stopped) {
          await this.subscription.stop();
        }
        return;
      } catch (error: unknown) {
        logger.warn('cannot join the bus; serving the last-known-good config meanwhile', { error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, this.options.retryMs).unref());
      }
    }
  }

  private async onPublished(published: RoutingConfigPublishedV1): Promise<void> {
    if (!this.options.accepts(published)) {
      return;
    }
    const result = this.options.apply(published);
    const { stack, environment, version, gatewayId } = result;
    const event =
      result.outcome === 'applied'
        ? newEvent({ type: 'io.strata.routing.config.applied.v1', service: GATEWAY_SERVICE, subject: stack, data: { stack, environment, version, gatewayId } })
        : newEvent({
            type: 'io.strata.routing.config.rejected.v1',
            service: GATEWAY_SERVICE,
            subject: published.stack,
            data: { stack: published.stack, environment: published.environment, version: published.version, gatewayId, reason: result.reason, violations: result.violations, keptVersion: result.keptVersion },
          });
    await this.options.bus.publish([{ topic: Topics.routingEvents, key: published.stack, value: JSON.stringify(event) }]);
  }
}
