import { z } from 'zod';
import { cloudEventEnvelopeSchema } from './cloud-event';
import { EventCatalog, EventType, StrataEvent, isKnownEventType } from './event-catalog';

export type EventValidationResult =
  | { ok: true; event: StrataEvent }
  | { ok: false; reason: string };

function describeIssues(prefix: string, issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${[prefix, ...issue.path.map(String)].filter(Boolean).join('.')}: ${issue.message}`)
    .join('; ');
}

/** Parses and validates a raw message value as a known Strata CloudEvent. Never throws. */
export function parseStrataEvent(raw: Buffer | string | null): EventValidationResult {
  if (raw === null || raw.length === 0) {
    return { ok: false, reason: 'message has no value' };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.toString());
  } catch (error) {
    return { ok: false, reason: `value is not JSON: ${(error as Error).message}` };
  }
  return validateStrataEvent(json);
}

export function validateStrataEvent(candidate: unknown): EventValidationResult {
  const envelope = cloudEventEnvelopeSchema.safeParse(candidate);
  if (!envelope.success) {
    return { ok: false, reason: `not a CloudEvent: ${describeIssues('', envelope.error.issues)}` };
  }
  const { type } = envelope.data;
  if (!isKnownEventType(type)) {
    return { ok: false, reason: `unknown event type '${type}'` };
  }
  const data = EventCatalog[type as EventType].schema.safeParse(envelope.data.data);
  if (!data.success) {
    return { ok: false, reason: `invalid data for ${type}: ${describeIssues('data', data.error.issues)}` };
  }
  return { ok: true, event: { ...envelope.data, type, data: data.data } as StrataEvent };
}
