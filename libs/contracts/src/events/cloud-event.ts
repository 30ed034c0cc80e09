import { z } from 'zod';

/** A CloudEvents 1.0 envelope in structured JSON mode (https://github.com/cloudevents/spec). */
export interface CloudEvent<TType extends string = string, TData = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: TType;
  time: string;
  subject?: string;
  datacontenttype: 'application/json';
  /** Correlation id of the request that caused the event, so logs of every service line up. */
  correlationid?: string;
  data: TData;
}

export const cloudEventEnvelopeSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.string().min(1).max(200),
  source: z.string().min(1).max(500),
  type: z.string().min(1).max(200),
  time: z.iso.datetime({ offset: true }),
  subject: z.string().max(500).optional(),
  datacontenttype: z.literal('application/json'),
  correlationid: z.string().max(200).optional(),
  data: z.unknown(),
});
