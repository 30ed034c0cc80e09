import { TopicName, Topics, cloudEventEnvelopeSchema } from '@strata/contracts';

/**
 * What the dashboard hears of an event: enough to know which of its views are stale (type, stack,
 * subject), never the payload. The dashboard then reads the state through the API, with the
 * caller's token, so the stream cannot show more than the API would.
 */
export interface LiveChange {
  topic: TopicName;
  type: string;
  stack: string | null;
  subject: string | null;
  time: string;
}

/**
 * Topics whose events change something the dashboard shows. Raw KPI samples are left out: the
 * gateway flushes them every second per series, and a chart only changes when a window closes.
 */
export const LIVE_TOPICS: readonly TopicName[] = [Topics.registryEvents, Topics.routingEvents, Topics.rollbackEvents, Topics.kpiWindows, Topics.anomalies, Topics.forecasts, Topics.stagingEvents];

const stackOf = (data: unknown): string | null => {
  if (typeof data !== 'object' || data === null) {
    return null;
  }
  const record = data as Record<string, unknown>;
  // KPI windows, anomalies and forecasts name their stack in the series' labels.
  const series = record['series'] as Record<string, unknown> | undefined;
  const stack = record['stack'] ?? series?.['stack'];
  return typeof stack === 'string' ? stack : null;
};

/** The change a bus message announces, or undefined for a message that is no CloudEvent (the DLQ's business, not the dashboard's). */
export function toLiveChange(topic: TopicName, value: Buffer | string | null): LiveChange | undefined {
  if (value === null) {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString());
  } catch {
    return undefined;
  }
  const envelope = cloudEventEnvelopeSchema.safeParse(parsed);
  if (!envelope.success) {
    return undefined;
  }
  const { type, subject, time, data } = envelope.data;
  return { topic, type, stack: stackOf(data), subject: subject ?? null, time };
}
