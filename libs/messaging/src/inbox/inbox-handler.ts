import { EventType, StrataEvent } from '@strata/contracts';
import { metricsRegistry } from '@strata/observability';
import { Counter } from 'prom-client';
import { DataSource, EntityManager } from 'typeorm';
import { BatchEventHandler, EventHandler } from '../processing/event-processor';
import { InboxRepository } from './inbox.repository';

const duplicates = new Counter({
  name: 'strata_inbox_duplicates_total',
  help: 'Redelivered events skipped because the consumer group had already applied them',
  labelNames: ['group'] as const,
  registers: [metricsRegistry],
});

export type TransactionalEventHandler<TType extends EventType> = (event: StrataEvent<TType>, manager: EntityManager) => Promise<void>;

/** Gets only events the consumer group has not applied before, in offset order, each id once. */
export type TransactionalBatchHandler<TType extends EventType> = (events: readonly StrataEvent<TType>[], manager: EntityManager) => Promise<void>;

/**
 * Applies events at most once per consumer group: their inbox rows and the handler's writes
 * commit together, so a redelivered event finds its row and is left out; an event repeated
 * within the batch is applied once.
 */
export function withInboxBatch<TType extends EventType>(
  dataSource: DataSource,
  inbox: InboxRepository,
  consumerGroup: string,
  handler: TransactionalBatchHandler<TType>,
): BatchEventHandler<TType> {
  return (events) =>
    dataSource.transaction(async (manager) => {
      const ids = new Set<string>();
      const distinct = events.filter((event) => !ids.has(event.id) && ids.add(event.id));
      const claimed = await inbox.claimAll(manager, consumerGroup, distinct as StrataEvent[]);
      const fresh = distinct.filter((event) => claimed.has(event.id));
      if (fresh.length < events.length) {
        duplicates.inc({ group: consumerGroup }, events.length - fresh.length);
      }
      if (fresh.length > 0) {
        await handler(fresh, manager);
      }
    });
}

/** withInboxBatch for one event at a time. */
export function withInbox<TType extends EventType>(
  dataSource: DataSource,
  inbox: InboxRepository,
  consumerGroup: string,
  handler: TransactionalEventHandler<TType>,
): EventHandler<TType> {
  const applyBatch = withInboxBatch<TType>(dataSource, inbox, consumerGroup, (events, manager) => handler(events[0] as StrataEvent<TType>, manager));
  return (event) => applyBatch([event]);
}
