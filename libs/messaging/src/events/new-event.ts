import { randomUUID } from 'node:crypto';
import { EventCatalog, EventData, EventType, StrataEvent } from '@strata/contracts';
import { DomainError } from '@strata/domain';
import { currentCorrelationId } from '@strata/observability';

export interface NewEventOptions<TType extends EventType> {
  type: TType;
  /** The producing service, e.g. `registry`; becomes the CloudEvents source `/strata/registry`. */
  service: string;
  /** What the event is about; the stack name for domain events. Also the message key. */
  subject: string;
  data: EventData<TType>;
}

/**
 * Builds a CloudEvent, validating its data against the catalog so no producer emits garbage.
 * Data the catalog refuses is invalid input (422 at the HTTP edge, dead-lettered by a consumer),
 * naming each field as `event.<field>`: edges validate requests first, so this is the backstop.
 */
export function newEvent<TType extends EventType>(options: NewEventOptions<TType>): StrataEvent<TType> {
  const checked = EventCatalog[options.type].schema.safeParse(options.data);
  if (!checked.success) {
    throw DomainError.invalid(
      `the request cannot become a ${options.type} event`,
      checked.error.issues.map((issue) => ({ field: ['event', ...issue.path.map(String)].join('.'), message: issue.message })),
    );
  }
  const data = checked.data as EventData<TType>;
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
