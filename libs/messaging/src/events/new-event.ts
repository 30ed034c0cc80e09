import { randomUUID } from 'node:crypto';
import { EventCatalog, EventData, EventType, StrataEvent } from '@strata/contracts';
import { currentCorrelationId } from '@strata/observability';

export interface NewEventOptions<TType extends EventType> {
  type: TType;
  /** The producing service, e.g. `registry`; becomes the CloudEvents source `/strata/registry`. */
  service: string;
  /** What the event is about; the stack name for domain events. Also the message key. */
  subject: string;
  data: EventData<TType>;
}

/** Builds a CloudEvent, validating its data against the catalog so no producer emits garbage. */
export function newEvent<TType extends EventType>(options: NewEventOptions<TType>): StrataEvent<TType> {
  const data = EventCatalog[options.type].schema.parse(options.data) as EventData<TType>;
  const correlationId = currentCorrelationId();
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: `/strata/${options.service}`,
    type: options.type,
    time: new Date().toISOString(),
    subject: options.subject,
    datacontenttype: 'application/json',
    ...(correlationId ? { correlationid: correlationId } : {}),
    data,
  };
}
