import { DeadLetterHeaders, EventType, StrataEvent, parseStrataEvent } from '@strata/contracts';
import { Logger, metricsRegistry, runWithCorrelationId } from '@strata/observability';
import { Counter } from 'prom-client';
import { BatchMessageHandler, DeliveryContext, EventBus, IncomingMessage, MessageHandler, OutgoingMessage } from '../bus/event-bus';
import { BackoffPolicy, backoffDelay, sleep } from './backoff';
import { FailureKind, classifyFailure } from './failures';

export type EventHandler<TType extends EventType = EventType> = (event: StrataEvent<TType>) => Promise<void>;

export type EventHandlers = { [TType in EventType]?: EventHandler<TType> };

/** Applies the events together, all or nothing: they are in offset order and of one type. */
export type BatchEventHandler<TType extends EventType = EventType> = (events: readonly StrataEvent<TType>[]) => Promise<void>;

interface DeliveryRuleOptions {
  groupId: string;
  /** Where dead letters go. */
  bus: EventBus;
  /** Attempts for failures that are neither known transient nor known permanent. */
  maxUnknownAttempts?: number;
  backoff?: BackoffPolicy;
}

export interface EventProcessorOptions extends DeliveryRuleOptions {
  handlers: EventHandlers;
}

export interface BatchEventProcessorOptions<TType extends EventType> extends DeliveryRuleOptions {
  /** Events of other (known) types are skipped, as a message processor skips types it has no handler for. */
  type: TType;
  handleBatch: BatchEventHandler<TType>;
}

const processed = new Counter({
  name: 'strata_events_processed_total',
  help: 'Consumed messages by consumer group and outcome (handled, ignored, dead-lettered)',
  labelNames: ['group', 'outcome'] as const,
  registers: [metricsRegistry],
});

const retried = new Counter({
  name: 'strata_event_handler_retries_total',
  help: 'Handler attempts that failed and were retried, by consumer group and failure kind',
  labelNames: ['group', 'kind'] as const,
  registers: [metricsRegistry],
});

const HEARTBEAT_SLICE_MS = 2_000;

/**
 * The most of a message's value its dead-letter copy holds: half of Kafka's default 1 MB record limit
 * (message.max.bytes), leaving room for the original headers and the DLQ's own.
 */
export const DLQ_MAX_VALUE_BYTES = 512 * 1024;

export class ConsumerStoppingError extends Error {
  override readonly name = 'ConsumerStoppingError';
}

interface DeliveryRules {
  /** The parsed event of a message, or null once the message is dead-lettered or skipped. */
  parse(message: IncomingMessage, handles: (type: EventType) => boolean): Promise<StrataEvent | null>;
  /** Handles one event: retried while its failure is transient, dead-lettered once it is permanent. */
  apply(message: IncomingMessage, event: StrataEvent, handler: EventHandler, context: DeliveryContext): Promise<void>;
  handledInBatch(count: number): void;
  logger: Logger;
}

/**
 * The DLQ's copy of a message, with why and where it came from. A record near the broker's size limit
 * fits on its own topic but not with these headers: the copy keeps its first bytes and says how large
 * it was, or the partition could never move on.
 */
function deadLetterCopy(message: IncomingMessage, reason: string, groupId: string): OutgoingMessage {
  const value = message.value ?? Buffer.alloc(0);
  const truncated = value.length > DLQ_MAX_VALUE_BYTES;
  return {
    topic: 'dlq',
    key: message.key,
    value: truncated ? value.subarray(0, DLQ_MAX_VALUE_BYTES) : value,
    headers: {
      ...message.headers,
      ...(truncated ? { [DeadLetterHeaders.truncatedFrom]: String(value.length) } : {}),
      [DeadLetterHeaders.reason]: reason.slice(0, 2_000),
      [DeadLetterHeaders.originalTopic]: message.topic,
      [DeadLetterHeaders.originalPartition]: String(message.partition),
      [DeadLetterHeaders.originalOffset]: message.offset,
      [DeadLetterHeaders.consumerGroup]: groupId,
      [DeadLetterHeaders.failedAt]: new Date().toISOString(),
    },
  };
}

function deliveryRules(options: DeliveryRuleOptions): DeliveryRules {
  const logger = new Logger('consumer').child({ groupId: options.groupId });
  const maxUnknownAttempts = options.maxUnknownAttempts ?? 5;
  const backoff = options.backoff ?? { initialMs: 200, maxMs: 30_000 };

  const deadLetter = async (message: IncomingMessage, reason: string): Promise<void> => {
    await options.bus.publish([deadLetterCopy(message, reason, options.groupId)]);
    processed.inc({ group: options.groupId, outcome: 'dead-lettered' });
    logger.warn('message dead-lettered', { topic: message.topic, partition: message.partition, offset: message.offset, reason });
  };

  const wait = async (ms: number, context: DeliveryContext): Promise<void> => {
    for (let remaining = ms; remaining > 0; remaining -= HEARTBEAT_SLICE_MS) {
      if (!(await sleep(Math.min(remaining, HEARTBEAT_SLICE_MS), context.signal))) {
        throw new ConsumerStoppingError('consumer is stopping; the message stays uncommitted');
      }
      await context.heartbeat();
    }
  };

  return {
    logger,
    parse: async (message, handles) => {
      const parsed = parseStrataEvent(message.value);
      if (!parsed.ok) {
        await deadLetter(message, parsed.reason);
        return null;
      }
      if (!handles(parsed.event.type)) {
        processed.inc({ group: options.groupId, outcome: 'ignored' });
        return null;
      }
      return parsed.event;
    },
    apply: (message, event, handler, context) =>
      runWithCorrelationId(event.correlationid ?? event.id, async () => {
        for (let attempt = 1; ; attempt += 1) {
          try {
            await handler(event);
            processed.inc({ group: options.groupId, outcome: 'handled' });
            return;
          } catch (error) {
            const kind = classifyFailure(error);
            const reason = error instanceof Error ? error.message : String(error);
            if (kind === FailureKind.Permanent) {
              await deadLetter(message, `permanent failure handling ${event.type} ${event.id}: ${reason}`);
              return;
            }
            if (kind === FailureKind.Unknown && attempt >= maxUnknownAttempts) {
              await deadLetter(message, `failed ${attempt} times handling ${event.type} ${event.id}: ${reason}`);
              return;
            }
            retried.inc({ group: options.groupId, kind });
            logger.warn('handler failed; retrying', { eventId: event.id, type: event.type, attempt, kind, reason });
            await wait(backoffDelay(attempt, backoff), context);
          }
        }
      }),
    handledInBatch: (count) => processed.inc({ group: options.groupId, outcome: 'handled' }, count),
  };
}

/**
 * Turns typed event handlers into a transport handler with Strata's delivery rules:
 * - a value that is not a valid, known CloudEvent goes to the DLQ with the reason;
 * - a known event type this consumer has no handler for is skipped;
 * - a permanent failure goes to the DLQ; a transient one is retried with backoff for as long
 *   as it takes; an unclassified one is retried `maxUnknownAttempts` times, then dead-lettered.
 * After a dead letter is written the offset is committed, so the partition moves on.
 */
export function createEventProcessor(options: EventProcessorOptions): MessageHandler {
  const rules = deliveryRules(options);
  const handlerOf = (type: EventType) => options.handlers[type] as EventHandler | undefined;
  return async (message, context) => {
    const event = await rules.parse(message, (type) => handlerOf(type) !== undefined);
    if (event) {
      await rules.apply(message, event, handlerOf(event.type) as EventHandler, context);
    }
  };
}

/**
 * The same delivery rules for a batch of messages, with one handler call for all the valid
 * events of the batch. Should that call fail, each event is handled on its own (retried or
 * dead-lettered as createEventProcessor would), so one bad event fails alone and the others
 * still apply. Each event's offset is resolved once it is applied or dead-lettered.
 */
export function createBatchEventProcessor<TType extends EventType>(options: BatchEventProcessorOptions<TType>): BatchMessageHandler {
  const rules = deliveryRules(options);
  const handleOne: EventHandler = (event) => options.handleBatch([event as StrataEvent<TType>]);
  return async (messages, context) => {
    const pending: Array<{ message: IncomingMessage; event: StrataEvent<TType> }> = [];
    for (const message of messages) {
      const event = await rules.parse(message, (type) => type === options.type);
      if (event) {
        pending.push({ message, event: event as StrataEvent<TType> });
      }
    }
    if (pending.length > 1) {
      try {
        await options.handleBatch(pending.map(({ event }) => event));
        rules.handledInBatch(pending.length);
        return;
      } catch (error) {
        rules.logger.warn('batch failed; handling its events one by one', {
          events: pending.length,
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }
    for (const { message, event } of pending) {
      await rules.apply(message, event, handleOne, context);
      context.resolve(message);
      // One transaction per event can outlast the session timeout over a whole chunk; kafkajs
      // sends no heartbeats on its own.
      await context.heartbeat();
    }
  };
}
