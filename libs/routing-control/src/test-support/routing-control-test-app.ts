import { EventData, EventType, StrataEvent, Topics, parseStrataEvent, topicOfEvent } from '@strata/contracts';
import { InMemoryEventBus, newEvent } from '@strata/messaging';
import { ServiceTestApp, observedInMemoryBus, startServiceTestApp } from '@strata/testing/harness';
import { RoutingControlModule } from '../routing-control.module';
import { RolloutTicker } from '../services/rollout-ticker.service';

export interface RoutingControlTestApp extends ServiceTestApp<InMemoryEventBus> {
  /** The rollout clock; tests move it and tick by hand. */
  clock: { now: number };
  /** Publishes an event as its producer would (the registry, a gateway, metrics-ingest). */
  publish<TType extends EventType>(type: TType, service: string, data: EventData<TType>): Promise<StrataEvent<TType>>;
  /** Every event routing-control published on routing.events, in order. */
  routingEvents: StrataEvent[];
  tick(): Promise<void>;
}

/** routing-control as one process serves it, on a fresh database and an in-memory bus, with a hand-driven clock. */
export async function startRoutingControlTestApp(label: string): Promise<RoutingControlTestApp> {
  const clock = { now: Date.UTC(2026, 10, 27, 2, 0, 0) };
  const routingEvents: StrataEvent[] = [];
  const harness = await startServiceTestApp({
    label,
    outboxPollIntervalMs: 50,
    // The app stops its bus when it closes, so a restarted app gets a new one, as a new process would.
    bus: () =>
      observedInMemoryBus('routing-events-observer', [Topics.routingEvents], (message) => {
        const parsed = parseStrataEvent(message.value);
        if (parsed.ok) {
          routingEvents.push(parsed.event);
        }
      }),
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
