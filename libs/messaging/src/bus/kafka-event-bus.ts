import { setMaxListeners } from 'node:events';
import { ALL_TOPICS, TopicName, physicalGroup, physicalTopic } from '@strata/contracts';
import { Logger } from '@strata/observability';
import { Admin, Consumer, ConsumerRunConfig, IHeaders, Kafka, KafkaMessage, Partitioners, Producer, logLevel } from 'kafkajs';
import { ConsumerPosition, EventBus, IncomingMessage, OutgoingMessage, Subscription, SubscriptionHandle, isBatchSubscription } from './event-bus';
import { KafkajsLog, retryBudgetMs } from './kafkajs-log';

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  topicPrefix: string;
  partitions: number;
  replicationFactor: number;
  sessionTimeoutMs?: number;
}

/** How long an idle fetch waits on the broker, and so the longest a consumer's disconnect waits for it. */
const IDLE_FETCH_WAIT_MS = 1_000;

/** kafkajs' retries of a request or connection: a broker coming up a minute after the service is waited for. */
const RETRY = { initialRetryTime: 300, maxRetryTime: 10_000, retries: 10 };

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) {
      result[name] = (Array.isArray(value) ? value[0] : value)?.toString() ?? '';
    }
  }
  return result;
}

/** Back-off of a consumer rejoining its group after a crash kafkajs does not restart. */
const REJOIN_FIRST_WAIT_MS = 2_000;
const REJOIN_LONGEST_WAIT_MS = 60_000;

/** How long start() waits for topics it created (or saw created) to be served before giving up. */
const TOPIC_METADATA_WAIT_MS = 15_000;

/** The distributed-mode transport, on kafkajs. Only this file (and kafkajs-log.ts, its log lines) knows about Kafka. */
export class KafkaEventBus implements EventBus {
  readonly transport = 'kafka' as const;
  private readonly logger = new Logger('bus').child({ transport: 'kafka' });
  private readonly kafka: Kafka;
  private readonly kafkajsLog: KafkajsLog;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly consumers: Consumer[] = [];
  private readonly stopping = new AbortController();
  private readonly logicalByPhysical = new Map<string, TopicName>();
  /** Consumer groups whose consumer crashed for good (kafkajs does not restart it) and is being rejoined: the health probe names them. */
  private readonly crashed = new Set<string>();
  private producerConnected = false;
  private producerConnecting: Promise<void> | undefined;

  constructor(private readonly options: KafkaBusOptions) {
    // Each subscription listens for the bus stopping: one process has more than Node's default 10.
    setMaxListeners(0, this.stopping.signal);
    this.kafkajsLog = new KafkajsLog(this.logger, options.brokers, retryBudgetMs(RETRY));
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      connectionTimeout: 3_000,
      requestTimeout: 30_000,
      retry: RETRY,
      logCreator: () => (entry) => this.kafkajsLog.write(entry),
    });
    // The default (murmur2, as Java clients) named, so kafkajs does not warn that its default changed in 2.0.
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    this.producer.on(this.producer.events.CONNECT, () => {
      this.producerConnected = true;
    });
    this.producer.on(this.producer.events.DISCONNECT, () => {
      this.producerConnected = false;
    });
    this.admin = this.kafka.admin();
    for (const topic of ALL_TOPICS) {
      this.logicalByPhysical.set(physicalTopic(options.topicPrefix, topic), topic);
    }
  }

  async start(): Promise<void> {
    try {
      await this.admin.connect();
      await this.ensureTopics();
      await this.connectProducer();
    } catch (error) {
      // kafkajs retries for a minute or more, then names a broker: the operator needs the variable to fix.
      throw new Error(`cannot start the Kafka bus on KAFKA_BROKERS=${this.options.brokers.join(',')}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    this.kafkajsLog.markStarted();
  }

  /**
   * Connects the producer once, however many publishes ask at the same time. A process that started
   * with the broker away (a gateway serving its last-known-good config) connects at its next publish.
   */
  private connectProducer(): Promise<void> {
    this.producerConnecting ??= this.producer.connect().finally(() => {
      this.producerConnecting = undefined;
    });
    return this.producerConnecting;
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled(this.consumers.map((consumer) => consumer.disconnect()));
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
  }

  async probe(): Promise<void> {
    if (this.crashed.size > 0) {
      throw new Error(`consumer group(s) ${[...this.crashed].sort().join(', ')} crashed and are rejoining`);
    }
    await this.admin.describeCluster();
  }

  async positions(groupId: string, topic: TopicName): Promise<ConsumerPosition[]> {
    const physical = physicalTopic(this.options.topicPrefix, topic);
    // The ends first: offsets committed after them can only be further on, so a consumer found at
    // the ends has applied everything written before they were read, never less.
    const ends = await this.admin.fetchTopicOffsets(physical);
    const [committed] = await this.admin.fetchOffsets({ groupId: physicalGroup(this.options.topicPrefix, groupId), topics: [physical] });
    const applied = new Map((committed?.partitions ?? []).map((partition) => [partition.partition, Number(partition.offset)]));
    return ends.map((end) => {
      // -1: nothing committed yet; groups start from the beginning, so from the oldest offset kept.
      const offset = applied.get(end.partition) ?? -1;
      return { partition: end.partition, applied: offset >= 0 ? offset : Number(end.low), end: Number(end.high) };
    });
  }

  async publish(messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) {
      return;
    }
    const byTopic = new Map<string, { key: string | null; value: string | Buffer; headers?: Record<string, string> }[]>();
    for (const message of messages) {
      const topic = physicalTopic(this.options.topicPrefix, message.topic);
      const batch = byTopic.get(topic) ?? [];
      batch.push({ key: message.key, value: message.value, headers: message.headers });
      byTopic.set(topic, batch);
    }
    if (!this.producerConnected) await this.connectProducer();
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, batch]) => ({ topic, messages: batch })),
    });
  }

  async subscribe(subscription: Subscription): Promise<SubscriptionHandle> {
    const batched = isBatchSubscription(subscription);
    const consumer = this.kafka.consumer({
      groupId: physicalGroup(this.options.topicPrefix, subscription.groupId),
      // A batch subscription's chunk is bounded by one fetch: kafkajs' 1 MB per partition holds
      // about 25 gateway flushes, far fewer than a transaction is sized for.
      ...(batched && subscription.maxBatchBytes ? { maxBytesPerPartition: subscription.maxBatchBytes, maxBytes: subscription.maxBatchBytes * this.options.partitions } : {}),
      // An idle fetch waits this long on the broker, and disconnecting waits for the fetch in flight:
      // kafkajs' 5 s default made every stop (a service's shutdown, a restart) take 5 s. Data still
      // comes back as soon as it arrives; an idle consumer polls once a second instead of every 5 s.
      maxWaitTimeInMs: IDLE_FETCH_WAIT_MS,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      // A member learns of a rebalance (a replica died or joined) at its next heartbeat: a sixth of the
      // session (1 s of a 6 s one) keeps that short beside the session timeout the dead member holds.
      heartbeatInterval: Math.min(3_000, Math.floor((this.options.sessionTimeoutMs ?? 30_000) / 6)),
      allowAutoTopicCreation: false,
    });
    this.consumers.push(consumer);
    const stopping = new AbortController();
    const signal = AbortSignal.any([this.stopping.signal, stopping.signal]);
    const join = async () => {
      await consumer.connect();
      await consumer.subscribe({
        topics: subscription.topics.map((topic) => physicalTopic(this.options.topicPrefix, topic)),
        // A service's group starts from what is kept; an ephemeral one (committing nothing) always starts new, at the end.
        fromBeginning: subscription.ephemeral !== true,
      });
      await consumer.run(this.runConfig(subscription, signal));
    };
    consumer.on(consumer.events.CRASH, (event) => {
      this.logger.error('consumer crashed', event.payload.error, { groupId: subscription.groupId, restart: event.payload.restart });
      // kafkajs gives up on an error it does not call retriable (a bug's TypeError, a record the broker
      // refuses): the group would stay behind for good while the process looks healthy.
      if (!event.payload.restart && !signal.aborted) void this.rejoin(subscription.groupId, consumer, join, signal);
    });
    await join();
    return {
      stop: async () => {
        stopping.abort();
        await consumer.disconnect();
        // Once it is empty: the broker refuses to delete a group with a member.
        if (subscription.ephemeral) await this.deleteGroup(subscription.groupId);
      },
    };
  }

  /** Joins the group again after a crash kafkajs does not restart, backing off; the uncommitted message is delivered again. */
  private async rejoin(groupId: string, consumer: Consumer, join: () => Promise<void>, signal: AbortSignal): Promise<void> {
    this.crashed.add(groupId);
    for (let waitMs = REJOIN_FIRST_WAIT_MS; !signal.aborted; waitMs = Math.min(waitMs * 2, REJOIN_LONGEST_WAIT_MS)) {
      await new Promise((resolve) => setTimeout(resolve, waitMs).unref());
      if (signal.aborted) break;
      try {
        await consumer.disconnect();
        await join();
        this.logger.warn('consumer rejoined its group after a crash', { groupId });
        break;
      } catch (error) {
        this.logger.error('consumer could not rejoin its group; trying again', error, { groupId, nextInMs: Math.min(waitMs * 2, REJOIN_LONGEST_WAIT_MS) });
      }
    }
    this.crashed.delete(groupId);
  }

  /**
   * Deletes an ephemeral group with a client of its own, made for it: the bus's admin may be
   * stopping too, and its retries (a minute and more, right for a publish) would outlast a shutdown.
   */
  private async deleteGroup(groupId: string): Promise<void> {
    const group = physicalGroup(this.options.topicPrefix, groupId);
    const admin = new Kafka({ clientId: this.options.clientId, brokers: this.options.brokers, connectionTimeout: 1_000, requestTimeout: 5_000, retry: { retries: 0 }, logLevel: logLevel.NOTHING }).admin();
    try {
      await admin.connect();
      await admin.deleteGroups([group]);
    } catch (error) {
      throw new Error(`cannot delete the consumer group ${group}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  private runConfig(subscription: Subscription, signal: AbortSignal): ConsumerRunConfig {
    // kafkajs commits resolved offsets after each fetched batch and when a handler throws; a
    // crash in between redelivers, and inboxes absorb it. An ephemeral group commits nothing: no
    // later process reads its offsets, and a group without them is dropped once empty.
    if (!isBatchSubscription(subscription)) {
      return {
        autoCommit: subscription.ephemeral !== true,
        eachMessage: async ({ topic, partition, message, heartbeat }) => {
          await subscription.handler(this.incoming(topic, partition, message), { heartbeat, signal });
        },
      };
    }
    return {
      autoCommit: subscription.ephemeral !== true,
      // Partitions apply their batches side by side (each in its own transaction, on its own
      // connection): the database works on one while Node decodes the next. Order holds within a partition.
      partitionsConsumedConcurrently: this.options.partitions,
      // With a threshold, commitOffsetsIfNecessary commits each applied chunk; without one kafkajs
      // would commit only at the end of the fetch, and a crash would replay every chunk of it.
      autoCommitThreshold: 1,
      // Offsets are resolved only once the handler has processed them, never for a whole fetch.
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
        const messages = batch.messages.map((message) => this.incoming(batch.topic, batch.partition, message));
        for (let start = 0; start < messages.length; start += subscription.maxBatchSize) {
          if (!isRunning() || isStale()) {
            return;
          }
          const chunk = messages.slice(start, start + subscription.maxBatchSize);
          await subscription.batchHandler(chunk, { heartbeat, signal, resolve: (message) => resolveOffset(message.offset) });
          resolveOffset((chunk[chunk.length - 1] as IncomingMessage).offset);
          await commitOffsetsIfNecessary();
          await heartbeat();
        }
      },
    };
  }

  private incoming(topic: string, partition: number, message: KafkaMessage): IncomingMessage {
    const logical = this.logicalByPhysical.get(topic);
    if (!logical) {
      throw new Error(`message from unexpected topic '${topic}'`);
    }
    return {
      topic: logical,
      partition,
      offset: message.offset,
      key: message.key ? message.key.toString() : null,
      value: message.value,
      headers: headersToStrings(message.headers),
    };
  }

  private async ensureTopics(): Promise<void> {
    const existing = new Set(await this.admin.listTopics());
    const missing = ALL_TOPICS.map((topic) => physicalTopic(this.options.topicPrefix, topic)).filter((topic) => !existing.has(topic));
    if (missing.length === 0) {
      return;
    }
    try {
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: this.options.partitions,
          replicationFactor: this.options.replicationFactor,
        })),
      });
    } catch (error) {
      // Another service starting at the same moment may have created them first; or they were
      // created and the broker's metadata has not caught up (UNKNOWN_TOPIC_OR_PARTITION while
      // kafkajs waits for leaders, seen on a busy single-node KRaft broker): wait for it a while.
      if (!(await this.topicsServed(missing, TOPIC_METADATA_WAIT_MS))) {
        throw error;
      }
    }
    this.logger.info('created topics', { topics: missing, partitions: this.options.partitions });
  }

  /** Whether every topic is listed with a leader for each partition within `waitMs`. */
  private async topicsServed(topics: readonly string[], waitMs: number): Promise<boolean> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        const { topics: metadata } = await this.admin.fetchTopicMetadata({ topics: [...topics] });
        if (metadata.length === topics.length && metadata.every((topic) => topic.partitions.length > 0 && topic.partitions.every((partition) => partition.leader >= 0))) {
          return true;
        }
      } catch {
        // not served yet
      }
      if (Date.now() >= deadline) {
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
