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

export interface Subscription {
  groupId: string;
  topics: readonly TopicName[];
  handler: MessageHandler;
}

export interface SubscriptionHandle {
  stop(): Promise<void>;
}

/**
 * The port every service talks to. Two transports implement it with the same semantics:
 * per-key ordering, at-least-once delivery, commit on success, redelivery on failure.
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
}
