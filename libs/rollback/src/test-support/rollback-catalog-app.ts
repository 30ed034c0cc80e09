import { Topics } from '@strata/contracts';
import { InMemoryEventBus } from '@strata/messaging';
import { eventually } from '@strata/testing';
import { DeadLetters, ServiceTestApp, observedInMemoryBus, startServiceTestApp } from '@strata/testing/harness';
import { RollbackModule } from '../rollback.module';

/** The rollback service's catalog consumer as the registry's events reach it, and what it dead-letters. */
export interface RollbackCatalogApp {
  sut: ServiceTestApp<InMemoryEventBus>;
  deadLetters: DeadLetters;
  /** Waits until the catalog consumer has handled the event (its inbox row). */
  handled(eventId: string): Promise<void>;
}

/** The rollback module on a fresh database, no timers, with every dead letter collected. */
export async function startRollbackCatalogApp(label: string): Promise<RollbackCatalogApp> {
  const deadLetters = new DeadLetters();
  const sut = await startServiceTestApp({
    label,
    bus: () => observedInMemoryBus('dead-letter-observer', [Topics.deadLetters], deadLetters.observe),
    modules: (options) => RollbackModule.register(options, { tickMs: 0 }),
  });
  const handled = (eventId: string) =>
    eventually(async () => expect((await sut.sql.query(`SELECT 1 FROM rollback.inbox WHERE consumer_group = 'strata-rollback.rollback-catalog' AND event_id = $1`, [eventId])).rowCount).toBe(1), 10_000, 50);
  return { sut, deadLetters, handled };
}
