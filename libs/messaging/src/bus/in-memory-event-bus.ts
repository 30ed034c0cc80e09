import { setMaxListeners } from 'node:events';
import { ALL_TOPICS, TopicName } from '@strata/contracts';
import { Logger } from '@strata/observability';
import { BatchSubscription, ConsumerPosition, EventBus, IncomingMessage, OutgoingMessage, Subscription, SubscriptionHandle, isBatchSubscription } from './event-bus';
import { partitionForKey } from './partitioning';

interface StoredMessage {
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
}

class Partition {
  /** Offset of messages[0]; consumed messages are trimmed so the log does not grow forever. */
  baseOffset = 0;
  readonly messages: StoredMessage[] = [];
  private readonly waiters = new Set<() => void>();

  get endOffset(): number {
    return this.baseOffset + this.messages.length;
  }

  append(message: StoredMessage): void {
    this.messages.push(message);
    for (const wake of this.waiters) {
      wake();
    }
    this.waiters.clear();
  }

  at(offset: number): StoredMessage | undefined {
    return this.messages[offset - this.baseOffset];
  }

  waitForMessages(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        signal.removeEventListener('abort', wake);
        this.waiters.delete(wake);
        resolve();
      };
      this.waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  trimBefore(offset: number): void {
    const count = Math.min(offset - this.baseOffset, this.messages.length);
    if (count > 0) {
      this.messages.splice(0, count);
      this.baseOffset += count;
    }
  }
}

const REDELIVERY_DELAY_MS = 500;
/** Retained for topics nobody consumes yet (like Kafka's retention, but counted in messages). */
const UNCONSUMED_RETENTION = 10_000;

/**
 * The embedded-mode transport: topics with partitions, consumer groups with committed offsets,
 * sequential delivery per partition, redelivery of a message whose handler failed. It lives and
 * dies with the process; durability comes from the outbox rows that feed it.
 */
export class InMemoryEventBus implements EventBus {
  readonly transport = 'memory' as const;
  private readonly logger = new Logger('bus').child({ transport: 'memory' });
  private readonly topics = new Map<TopicName, Partition[]>();
  private readonly groupOffsets = new Map<string, Map<string, number>>();
  private readonly loops: Promise<void>[] = [];
  private readonly stopping = new AbortController();
  private started = false;

  constructor(partitions: number) {
    // Each subscription listens for the bus stopping (AbortSignal.any): one process has more than Node's default 10.
    setMaxListeners(0, this.stopping.signal);
    for (const topic of ALL_TOPICS) {
      this.topics.set(topic, Array.from({ length: partitions }, () => new Partition()));
    }
  }

  async start(): Promise<void> {
    this.started = true;
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled(this.loops);
    this.started = false;
  }

  async probe(): Promise<void> {
    if (!this.started || this.stopping.signal.aborted) {
      throw new Error('in-memory bus is not running');
    }
  }

  async publish(messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.stopping.signal.aborted) {
      throw new Error('in-memory bus is stopped');
    }
    for (const message of messages) {
      const partitions = this.partitionsOf(message.topic);
      const index = message.key === null ? Math.floor(Math.random() * partitions.length) : partitionForKey(message.key, partitions.length);
      const partition = partitions[index] as Partition;
      partition.append({
        key: message.key,
        value: Buffer.isBuffer(message.value) ? message.value : Buffer.from(message.value),
        headers: { ...message.headers },
      });
      if (!this.isConsumed(message.topic)) {
        partition.trimBefore(partition.endOffset - UNCONSUMED_RETENTION);
      }
    }
  }

  async positions(groupId: string, topic: TopicName): Promise<ConsumerPosition[]> {
    const offsets = this.groupOffsets.get(groupId);
    return this.partitionsOf(topic).map((partition, index) => ({ partition: index, applied: offsets?.get(`${topic}/${index}`) ?? partition.baseOffset, end: partition.endOffset }));
  }

  async subscribe(subscription: Subscription): Promise<SubscriptionHandle> {
    if (this.groupOffsets.has(subscription.groupId)) {
      throw new Error(`consumer group '${subscription.groupId}' is already subscribed in this process`);
    }
    const offsets = new Map<string, number>();
    this.groupOffsets.set(subscription.groupId, offsets);
    const stopping = new AbortController();
    const signal = AbortSignal.any([this.stopping.signal, stopping.signal]);
    // Every partition loop of the subscription waits on it: topics × partitions is often more than 10.
    setMaxListeners(0, signal);
    const loops: Promise<void>[] = [];
    for (const topic of subscription.topics) {
      this.partitionsOf(topic).forEach((partition, index) => {
        // Like a new Kafka group with auto.offset.reset=earliest: start from what is retained (an ephemeral one: latest).
        offsets.set(`${topic}/${index}`, subscription.ephemeral ? partition.endOffset : partition.baseOffset);
        loops.push(this.deliver(subscription, topic, index, partition, offsets, signal));
      });
    }
    this.loops.push(...loops);
    return {
      stop: async () => {
        stopping.abort();
        await Promise.allSettled(loops);
        if (subscription.ephemeral) this.groupOffsets.delete(subscription.groupId);
      },
    };
  }

  private async deliver(
    subscription: Subscription,
    topic: TopicName,
    index: number,
    partition: Partition,
    offsets: Map<string, number>,
    signal: AbortSignal,
  ): Promise<void> {
    // A message handler is a batch handler of one message: both share one delivery loop.
    const { groupId, batchHandler, maxBatchSize }: BatchSubscription = isBatchSubscription(subscription)
      ? subscription
      : { ...subscription, batchHandler: (messages, context) => subscription.handler(messages[0] as IncomingMessage, context), maxBatchSize: 1 };
    const position = `${topic}/${index}`;
    while (!signal.aborted) {
      const offset = offsets.get(position) ?? 0;
      const count = Math.min(partition.endOffset - offset, maxBatchSize);
      if (count <= 0) {
        await partition.waitForMessages(signal);
        continue;
      }
      const messages = Array.from({ length: count }, (_, at): IncomingMessage => {
        const stored = partition.at(offset + at) as StoredMessage;
        return { topic, partition: index, offset: String(offset + at), key: stored.key, value: stored.value, headers: stored.headers };
      });
      let resolvedEnd = offset;
      const resolve = (message: IncomingMessage) => {
        resolvedEnd = Math.max(resolvedEnd, Number(message.offset) + 1);
      };
      try {
        await batchHandler(messages, { heartbeat: async () => undefined, signal, resolve });
        offsets.set(position, offset + count);
        this.trimConsumed(topic, index, partition);
      } catch (error) {
        offsets.set(position, resolvedEnd);
        if (signal.aborted) {
          return;
        }
        this.logger.warn('handler failed; messages not resolved will be delivered again', {
          groupId,
          topic,
          partition: index,
          offset: resolvedEnd,
          reason: (error as Error).message,
        });
        await new Promise((resolve) => setTimeout(resolve, REDELIVERY_DELAY_MS));
      }
    }
  }

  private trimConsumed(topic: TopicName, index: number, partition: Partition): void {
    const position = `${topic}/${index}`;
    let lowest = Number.POSITIVE_INFINITY;
    for (const offsets of this.groupOffsets.values()) {
      const offset = offsets.get(position);
      if (offset !== undefined) {
        lowest = Math.min(lowest, offset);
      }
    }
    if (Number.isFinite(lowest)) {
      partition.trimBefore(lowest);
    }
  }

  private isConsumed(topic: TopicName): boolean {
    for (const offsets of this.groupOffsets.values()) {
      if (offsets.has(`${topic}/0`)) {
        return true;
      }
    }
    return false;
  }

  private partitionsOf(topic: TopicName): Partition[] {
    const partitions = this.topics.get(topic);
    if (!partitions) {
      throw new Error(`unknown topic '${topic}'`);
    }
    return partitions;
  }
}
