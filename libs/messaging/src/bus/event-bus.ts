import { TopicName } from '@strata/contracts';

export interface OutgoingMessage {
  topic: TopicName;
  /** Messages with one key stay in order: stack id for domain events, series id for KPIs. */
  key: string | null;
  value: string | Buffer;
  headers?: Record<string, string>;
}

export interface IncomingMessage {
  topic: TopicName;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface DeliveryContext {
  /** Long handlers call this so the broker does not think the consumer died. */
  heartbeat(): Promise<void>;
  /** Aborted when the consumer is stopping: a retry loop gives up and leaves the offset uncommitted. */
  signal: AbortSignal;
}

/**
 * Resolving commits the message's offset; rejecting leaves it uncommitted so the transport
 * delivers it again. Handlers decide (see EventProcessor) what is worth redelivering.
 */
export type MessageHandler = (message: IncomingMessage, context: DeliveryContext) => Promise<void>;

export interface BatchDeliveryContext extends DeliveryContext {
  /**
   * Marks this message and every one before it in the batch as processed: their offsets are
   * committed even if the handler rejects later, so only the rest is delivered again.
   */
  resolve(message: IncomingMessage): void;
}

/**
 * Gets up to `maxBatchSize` messages of one partition, in offset order. Resolving commits them
 * all; rejecting redelivers those not marked with `context.resolve`.
 */
export type BatchMessageHandler = (messages: readonly IncomingMessage[], context: BatchDeliveryContext) => Promise<void>;

interface SubscriptionTarget {
  groupId: string;
  topics: readonly TopicName[];
  /**
   * A group of this process alone (a dashboard's live stream), not a service's: it hears what is
   * written from the moment it joins (not what was written before), commits nothing, and stopping
   * its subscription deletes it where the transport keeps groups (Kafka), so none is left listed.
   */
  ephemeral?: boolean;
}

export interface MessageSubscription extends SubscriptionTarget {
  handler: MessageHandler;
}

/** For consumers that amortise a transaction over many messages (see EventSubscriber.subscribeBatch). */
export interface BatchSubscription extends SubscriptionTarget {
  batchHandler: BatchMessageHandler;
  maxBatchSize: number;
  /** Bytes one fetch may bring per partition, when the transport fetches (Kafka); room for `maxBatchSize` messages. */
  maxBatchBytes?: number;
}

export type Subscription = MessageSubscription | BatchSubscription;

export function isBatchSubscription(subscription: Subscription): subscription is BatchSubscription {
  return 'batchHandler' in subscription;
}

/** Where a consumer group stands on one partition of a topic. */
export interface ConsumerPosition {
  partition: number;
  /** Offsets below this are applied: their handler resolved and the offset is committed. */
  applied: number;
  /** The offset the next message written to the partition will get. */
  end: number;
}

export interface SubscriptionHandle {
  stop(): Promise<void>;
}

/**
 * The port every service talks to. Two transports implement it with the same semantics, for
 * message and batch subscriptions alike: per-key ordering, at-least-once delivery, commit on
 * success, redelivery on failure.
 */
export interface EventBus {
  readonly transport: 'kafka' | 'memory';
  /** Connects and creates every Strata topic with the configured partitions. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves once the transport has durably accepted every message. */
  publish(messages: readonly OutgoingMessage[]): Promise<void>;
  /** Starts consuming; the handle stops this subscription alone (before the bus stops). */
  subscribe(subscription: Subscription): Promise<SubscriptionHandle>;
  /** Resolves when the transport can take messages now (health checks). */
  probe(): Promise<void>;
  /**
   * Where `groupId` stands on each partition of `topic`, as the transport knows it now; a group
   * that has committed nothing stands at the oldest message kept (groups start from the beginning).
   * How far a consumer has got without asking it: any replica may read the group's positions.
   */
  positions(groupId: string, topic: TopicName): Promise<ConsumerPosition[]>;
}
