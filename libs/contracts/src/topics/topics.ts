/**
 * Logical topic names. The physical name is `<prefix><logical>` (prefix `strata.` by default), so
 * several Strata installations can share one Kafka cluster.
 */
export const Topics = {
  registryEvents: 'registry.events',
  routingEvents: 'routing.events',
  kpiSamples: 'kpi.samples',
  kpiWindows: 'kpi.windows',
  anomalies: 'anomalies',
  forecasts: 'forecasts',
  stagingEvents: 'staging.events',
  rollbackEvents: 'rollback.events',
  deadLetters: 'dlq',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

export const ALL_TOPICS: readonly TopicName[] = Object.values(Topics);

export const DEFAULT_TOPIC_PREFIX = 'strata.';

export function physicalTopic(prefix: string, topic: TopicName): string {
  return `${prefix}${topic}`;
}

/**
 * A consumer group's name on the broker carries the topic prefix too: installations (or test runs) sharing a cluster
 * under different prefixes would otherwise share a group, and each one's consumers would rebalance the other's.
 */
export function physicalGroup(prefix: string, groupId: string): string {
  return `${prefix}${groupId}`;
}

/** Headers a dead-lettered message carries besides its original key and value. */
export const DeadLetterHeaders = {
  reason: 'strata-dlq-reason',
  originalTopic: 'strata-dlq-original-topic',
  originalPartition: 'strata-dlq-original-partition',
  originalOffset: 'strata-dlq-original-offset',
  consumerGroup: 'strata-dlq-consumer-group',
  failedAt: 'strata-dlq-failed-at',
  /** Set when the value was too large to copy whole: its size in bytes (the copy holds its first bytes). */
  truncatedFrom: 'strata-dlq-truncated-from-bytes',
} as const;
