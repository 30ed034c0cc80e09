import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { EventType, TopicName } from '@strata/contracts';
import { DataSource } from 'typeorm';
import { ConsumerPosition, EventBus, SubscriptionHandle } from '../bus/event-bus';
import { TransactionalBatchHandler, TransactionalEventHandler, withInbox, withInboxBatch } from '../inbox/inbox-handler';
import { InboxRepository } from '../inbox/inbox.repository';
import { EventHandlers, createBatchEventProcessor, createEventProcessor } from '../processing/event-processor';
import { EVENT_BUS } from './bus.module';
import { SERVICE_MESSAGING_OPTIONS, ServiceMessagingOptions } from './service-messaging-options';

export type TransactionalEventHandlers = { [TType in EventType]?: TransactionalEventHandler<TType> };

export interface TransactionalBatchSubscription<TType extends EventType> {
  type: TType;
  /** Most events applied in one transaction; bounds its size and what one failure makes redo one by one. */
  maxEvents: number;
  /** Room a fetch makes for the events of one partition; sized for `maxEvents` of this type. */
  maxBatchBytes?: number;
  handle: TransactionalBatchHandler<TType>;
}

/** How a service consumes events: validated, deduplicated through its inbox, retried or dead-lettered. */
@Injectable()
export class EventSubscriber implements BeforeApplicationShutdown {
  private readonly inbox: InboxRepository;
  private readonly handles: SubscriptionHandle[] = [];

  constructor(
    @Inject(SERVICE_MESSAGING_OPTIONS) private readonly options: ServiceMessagingOptions,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly dataSource: DataSource,
  ) {
    this.inbox = new InboxRepository(options.schema);
  }

  /** The group id is `strata-<service>.<consumer>`: replicas of one consumer share the work. */
  async subscribe(consumer: string, topics: readonly TopicName[], handlers: TransactionalEventHandlers): Promise<void> {
    const groupId = this.groupIdOf(consumer);
    const wrapped: Record<string, unknown> = {};
    for (const [type, handler] of Object.entries(handlers)) {
      wrapped[type] = withInbox(this.dataSource, this.inbox, groupId, handler as TransactionalEventHandler<EventType>);
    }
    const handle = await this.bus.subscribe({
      groupId,
      topics,
      handler: createEventProcessor({ groupId, bus: this.bus, handlers: wrapped as EventHandlers }),
    });
    this.handles.push(handle);
  }

  /**
   * Like `subscribe` for one event type, with the events a partition has ready applied together:
   * up to `maxEvents` in one transaction with all their inbox rows, so its fixed costs are paid
   * once per batch rather than once per event. When a batch fails, its events are applied one
   * transaction each, so a bad one is dead-lettered alone; offsets move only past committed events.
   */
  async subscribeBatch<TType extends EventType>(consumer: string, topics: readonly TopicName[], batch: TransactionalBatchSubscription<TType>): Promise<void> {
    if (!Number.isInteger(batch.maxEvents) || batch.maxEvents < 1) {
      // A batch of none would never deliver anything: the partition would stall without a word.
      throw new Error(`consumer '${consumer}': maxEvents must be a whole number of at least 1, got ${batch.maxEvents}`);
    }
    const groupId = this.groupIdOf(consumer);
    const handle = await this.bus.subscribe({
      groupId,
      topics,
      maxBatchSize: batch.maxEvents,
      maxBatchBytes: batch.maxBatchBytes,
      batchHandler: createBatchEventProcessor({
        groupId,
        bus: this.bus,
        type: batch.type,
        handleBatch: withInboxBatch(this.dataSource, this.inbox, groupId, batch.handle),
      }),
    });
    this.handles.push(handle);
  }

  /** Where this service's `consumer` stands on `topic` (EventBus.positions), read from any replica. */
  positions(consumer: string, topic: TopicName): Promise<ConsumerPosition[]> {
    return this.bus.positions(this.groupIdOf(consumer), topic);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.handles.map((handle) => handle.stop()));
  }

  private groupIdOf(consumer: string): string {
    return `strata-${this.options.service}.${consumer}`;
  }
}
