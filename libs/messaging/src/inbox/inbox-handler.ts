import { EventType, StrataEvent } from '@strata/contracts';
import { metricsRegistry } from '@strata/observability';
import { Counter } from 'prom-client';
import { DataSource, EntityManager } from 'typeorm';
import { EventHandler } from '../processing/event-processor';
import { InboxRepository } from './inbox.repository';

const duplicates = new Counter({
  name: 'strata_inbox_duplicates_total',
  help: 'Redelivered events skipped because the consumer group had already applied them',
  labelNames: ['group'] as const,
  registers: [metricsRegistry],
});

export type TransactionalEventHandler<TType extends EventType> = (event: StrataEvent<TType>, manager: EntityManager) => Promise<void>;

/**
 * Applies an event at most once per consumer group: the inbox row and the handler's writes
 * commit together, so a redelivered event finds its row and is skipped.
 */
export function withInbox<TType extends EventType>(
  dataSource: DataSource,
  inbox: InboxRepository,
  consumerGroup: string,
  handler: TransactionalEventHandler<TType>,
): EventHandler<TType> {
  return (event) =>
    dataSource.transaction(async (manager) => {
      if (await inbox.claim(manager, consumerGroup, event as StrataEvent)) {
        await handler(event, manager);
      } else {
        duplicates.inc({ group: consumerGroup });
      }
    });
}
