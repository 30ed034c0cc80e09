import { ALL_TOPICS, DEFAULT_TOPIC_PREFIX, DeadLetterHeaders, EventCatalog, EventType, TopicName, Topics, cloudEventEnvelopeSchema } from '@strata/contracts';
import { z } from 'zod';

/** Where the committed document lives, relative to the repository root. */
export const ASYNCAPI_DOCUMENT_PATH = 'apps/strata/docs/asyncapi.json';

type JsonSchema = Record<string, unknown>;

/** Topics external producers may write to besides Strata's own services. */
const RECEIVED_TOPICS: readonly TopicName[] = [Topics.kpiSamples];

const TOPIC_DESCRIPTIONS: Record<TopicName, string> = {
  'registry.events': 'Registry changes: stacks, environments, versions, version groups, deployments, the version map, nodes, declared rollouts, tokens. Key: the stack.',
  'routing.events': 'Routing policies published to gateways and their ACK/NACK, rollout transitions and declaration answers, gateway fallback. Key: the stack.',
  'kpi.samples': 'KPI samples from gateways, heartbeats and health checks; external producers may publish here too. Key: the series id.',
  'kpi.windows': 'Closed KPI windows (counts, sums, latency histograms) per series. Key: the series id.',
  anomalies: 'Anomalies the streaming detector found, with their evidence. Key: the series id.',
  forecasts: 'Forecasts of a series with their intervals and the model that served them. Key: the series id.',
  'staging.events': 'Reserved for predictive staging runs and proposals; no event type is published on it yet.',
  'rollback.events': 'Reserved for rollback executions; no event type is published on it yet.',
  dlq: 'Dead letters: a message no consumer could take (unknown type, invalid payload, a permanent failure), as it arrived, with headers naming why and where from.',
};

/** A zod schema as the JSON Schema (draft 7, AsyncAPI's own schema format) the same validation implies. */
function jsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', unrepresentable: 'any', io: 'input' }) as JsonSchema;
  return rest;
}

const channelId = (topic: TopicName) => topic.replace(/\./g, '-');

/** The CloudEvents envelope with this event's type and data schema. */
function eventMessage(type: EventType): JsonSchema {
  const envelope = jsonSchema(cloudEventEnvelopeSchema);
  const properties = { ...(envelope['properties'] as Record<string, JsonSchema>), type: { type: 'string', const: type }, data: jsonSchema(EventCatalog[type].schema) };
  return {
    name: type,
    title: type,
    summary: `CloudEvents 1.0 (structured JSON) of type ${type}`,
    contentType: 'application/json',
    payload: { ...envelope, properties, required: [...new Set([...((envelope['required'] as string[]) ?? []), 'data'])] },
    bindings: { kafka: { key: { type: 'string', description: 'The stack (registry and routing events) or the series id (KPI, anomaly and forecast events): one key stays in order' } } },
  };
}

const DEAD_LETTER_MESSAGE: JsonSchema = {
  name: 'dead-letter',
  title: 'Dead letter',
  summary: 'The original message, key and value unchanged, with headers naming the reason and its origin',
  contentType: 'application/json',
  headers: {
    type: 'object',
    required: Object.values(DeadLetterHeaders).filter((header) => header !== DeadLetterHeaders.consumerGroup),
    properties: Object.fromEntries(Object.values(DeadLetterHeaders).map((header) => [header, { type: 'string' }])),
  },
  payload: { description: 'The original value as it arrived: not necessarily JSON, not necessarily a known event' },
};

/**
 * The AsyncAPI 3 document of every topic and every CloudEvents type Strata publishes, generated
 * from the event catalog (libs/contracts): one message per type, its data schema the same zod
 * schema producers and consumers validate with.
 */
export function buildAsyncApiDocument(): Record<string, unknown> {
  const types = Object.keys(EventCatalog) as EventType[];
  const messagesOf = (topic: TopicName) => types.filter((type) => EventCatalog[type].topic === topic);
  const channels: Record<string, JsonSchema> = {};
  const operations: Record<string, JsonSchema> = {};
  for (const topic of ALL_TOPICS) {
    const id = channelId(topic);
    const messageIds = topic === Topics.deadLetters ? ['dead-letter'] : messagesOf(topic);
    channels[id] = {
      address: `{prefix}${topic}`,
      title: topic,
      description: TOPIC_DESCRIPTIONS[topic],
      parameters: { prefix: { $ref: '#/components/parameters/prefix' } },
      messages: Object.fromEntries(messageIds.map((message) => [message, { $ref: `#/components/messages/${message}` }])),
    };
    if (messageIds.length === 0) continue;
    const messages = messageIds.map((message) => ({ $ref: `#/channels/${id}/messages/${message}` }));
    operations[`publish-${id}`] = { action: 'send', channel: { $ref: `#/channels/${id}` }, summary: `Strata publishes on ${topic}`, messages };
    if (RECEIVED_TOPICS.includes(topic)) {
      operations[`consume-${id}`] = { action: 'receive', channel: { $ref: `#/channels/${id}` }, summary: `Strata consumes ${topic}, from its gateways and from any producer`, messages };
    }
  }
  return {
    asyncapi: '3.1.0',
    info: {
      title: 'Strata events',
      version: '1',
      description:
        'Every Kafka topic of Strata and every CloudEvents type on it. Events are written in the same transaction as the change (outbox) and delivered at least once; consumers dedupe by event id. Topic names carry a prefix (STRATA_TOPIC_PREFIX).',
    },
    defaultContentType: 'application/json',
    servers: { kafka: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'The brokers of KAFKA_BROKERS' } },
    channels,
    operations,
    components: {
      parameters: { prefix: { default: DEFAULT_TOPIC_PREFIX, description: 'STRATA_TOPIC_PREFIX: lets several installations share a cluster' } },
      messages: { ...Object.fromEntries(types.map((type) => [type, eventMessage(type)])), 'dead-letter': DEAD_LETTER_MESSAGE },
    },
  };
}
