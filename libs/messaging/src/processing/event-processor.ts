import { DeadLetterHeaders, EventType, StrataEvent, parseStrataEvent } from '@strata/contracts';
import { Logger, metricsRegistry, runWithCorrelationId } from '@strata/observability';
import { Counter } from 'prom-client';
import { DeliveryContext, EventBus, IncomingMessage, MessageHandler } from '../bus/event-bus';
import { BackoffPolicy, backoffDelay, sleep } from './backoff';
import { FailureKind, classifyFailure } from './failures';

export type EventHandler<TType extends EventType = EventType> = (event: StrataEvent<TType>) => Promise<void>;

export type EventHandlers = { [TType in EventType]?: EventHandler<TType> };

export interface EventProcessorOptions {
  groupId: string;
  /** Where dead letters go. */
  bus: EventBus;
  handlers: EventHandlers;
  /** Attempts for failures that are neither known transient nor known permanent. */
  maxUnknownAttempts?: number;
  backoff?: BackoffPolicy;
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

export class ConsumerStoppingError extends Error {
  override readonly name = 'ConsumerStoppingError';
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
  const logger = new Logger('consumer').child({ groupId: options.groupId });
  const maxUnknownAttempts = options.maxUnknownAttempts ?? 5;
  const backoff = options.backoff ?? { initialMs: 200, maxMs: 30_000 };

  const deadLetter = async (message: IncomingMessage, reason: string): Promise<void> => {
    await options.bus.publish([
      {
        topic: 'dlq',
        key: message.key,
        value: message.value ?? Buffer.alloc(0),
        headers: {
          ...message.headers,
          [DeadLetterHeaders.reason]: reason.slice(0, 2_000),
          [DeadLetterHeaders.originalTopic]: message.topic,
          [DeadLetterHeaders.originalPartition]: String(message.partition),
          [DeadLetterHeaders.originalOffset]: message.offset,
          [DeadLetterHeaders.consumerGroup]: options.groupId,
          [DeadLetterHeaders.failedAt]: new Date().toISOString(),
        },
      },
    ]);
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

  return async (message, context) => {
    const parsed = parseStrataEvent(message.value);
    if (!parsed.ok) {
      await deadLetter(message, parsed.reason);
      return;
    }
    const event = parsed.event;
    const handler = options.handlers[event.type] as EventHandler | undefined;
    if (!handler) {
      processed.inc({ group: options.groupId, outcome: 'ignored' });
      return;
    }
    await runWithCorrelationId(event.correlationid ?? event.id, async () => {
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
    });
  };
}
