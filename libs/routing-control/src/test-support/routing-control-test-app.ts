import { EventData, EventType, StrataEvent, Topics, parseStrataEvent, topicOfEvent } from '@strata/contracts';
import { EventBus, IncomingMessage, newEvent } from '@strata/messaging';
import { ServiceTestApp, observedInMemoryBus, startServiceTestApp } from '@strata/testing/harness';
import { RoutingControlModule } from '../routing-control.module';
import { RolloutTicker } from '../services/rollout-ticker.service';

export interface RoutingControlTestApp extends ServiceTestApp {
  /** The rollout clock; tests move it and tick by hand. */
  clock: { now: number };
  /** Publishes an event as its producer would (the registry, a gateway, metrics-ingest). */
  publish<TType extends EventType>(type: TType, service: string, data: EventData<TType>): Promise<StrataEvent<TType>>;
  /** Every event routing-control published on routing.events, in order. */
  routingEvents: StrataEvent[];
  tick(): Promise<void>;
}

/**
 * routing-control as one process serves it, on a fresh database and an in-memory bus unless given
 * another (a Kafka bus for the distributed path), with a hand-driven clock.
 */
export async function startRoutingControlTestApp(label: string, kafkaBus?: () => EventBus): Promise<RoutingControlTestApp> {
  const clock = { now: Date.UTC(2026, 10, 27, 2, 0, 0) };
  const routingEvents: StrataEvent[] = [];
  const observe = (message: IncomingMessage): void => {
    const parsed = parseStrataEvent(message.value);
    if (parsed.ok) {
      routingEvents.push(parsed.event);
    }
  };
  const harness = await startServiceTestApp<EventBus>({
    label,
    outboxPollIntervalMs: 50,
    // The app stops its bus when it closes, so a restarted app gets a new one, as a new process would.
    // The in-memory bus is observed before the app starts, so the observer misses nothing it publishes.
    bus: kafkaBus ?? (() => observedInMemoryBus('routing-events-observer', [Topics.routingEvents], observe)),
    ...(kafkaBus ? { onStart: (_app, bus) => bus.subscribe({ groupId: 'routing-events-observer', topics: [Topics.routingEvents], handler: async (message) => observe(message) }).then(() => undefined) } : {}),
    modules: (options) => RoutingControlModule.register(options, { tickMs: 0, resyncMs: 0, now: () => clock.now }),
  });
  return Object.assign(harness, {
    clock,
    routingEvents,
    publish: async <TType extends EventType>(type: TType, service: string, data: EventData<TType>): Promise<StrataEvent<TType>> => {
      const event = newEvent({ type, service, subject: String((data as { stack?: string }).stack ?? 'none'), data });
      await harness.bus.publish([{ topic: topicOfEvent(type), key: event.subject ?? null, value: JSON.stringify(event) }]);
      return event;
    },
    tick: () => harness.app.get(RolloutTicker).tickAll(),
  });
}
