import { Inject, Injectable } from '@nestjs/common';
import { EventData, EventType, StrataEvent } from '@strata/contracts';
import { EntityManager } from 'typeorm';
import { newEvent } from '../events/new-event';
import { OutboxRepository } from '../outbox/outbox.repository';
import { SERVICE_MESSAGING_OPTIONS, ServiceMessagingOptions } from './service-messaging-options';

/** How a service emits events: built here, written in the caller's transaction. */
@Injectable()
export class EventOutbox {
  private readonly outbox: OutboxRepository;

  constructor(@Inject(SERVICE_MESSAGING_OPTIONS) private readonly options: ServiceMessagingOptions) {
    this.outbox = new OutboxRepository(options.schema);
  }

  create<TType extends EventType>(type: TType, subject: string, data: EventData<TType>): StrataEvent<TType> {
    return newEvent({ type, service: this.options.service, subject, data });
  }

  record(manager: EntityManager, ...events: StrataEvent[]): Promise<void> {
    return this.outbox.append(manager, events);
  }
}
