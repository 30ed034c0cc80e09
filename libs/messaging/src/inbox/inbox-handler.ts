import { EventType, StrataEvent } from '@strata/contracts';
import { DataSource, EntityManager } from 'typeorm';
import { EventHandler } from '../processing/event-processor';
import { InboxRepository } from './inbox.repository';

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
      }
    });
}
