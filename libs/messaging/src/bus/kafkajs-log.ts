import { Logger } from '@strata/observability';
import { LogEntry, logLevel as KafkaLogLevel } from 'kafkajs';

/**
 * kafkajs warnings that describe a choice made here, not a problem: the idempotent producer's
 * retries are bounded (the outbox sends again what failed, and consumers dedupe, so a publish must
 * fail rather than hang while the broker is away). Logged at every start, they read as faults.
 */
const EXPECTED_KAFKAJS_WARNINGS = ['Limiting retries for the idempotent producer'];

const KAFKAJS_LEVELS: Record<number, 'warn' | 'info' | 'debug'> = {
  // kafkajs reports every retried request as an error; real failures surface as CRASH events.
  [KafkaLogLevel.ERROR]: 'warn',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

const CONNECTION_ERROR = 'Connection error: ';
const BROKER_FAILED = /^Failed to connect to (?:seed )?broker[^:]*(?::\s*|$)/;

/** Why kafkajs could not reach a broker, for its lines saying so; undefined for any other line. */
export function connectionFailureCause(entry: LogEntry): string | undefined {
  const { message, broker } = entry.log as { message: string; broker?: unknown };
  if (entry.namespace === 'Connection' && message.startsWith(CONNECTION_ERROR)) {
    return message.slice(CONNECTION_ERROR.length);
  }
  if (entry.namespace === 'Connection' && message === 'Connection timeout') {
    return typeof broker === 'string' ? `connection to ${broker} timed out` : 'connection timed out';
  }
  if (entry.namespace === 'BrokerPool' && BROKER_FAILED.test(message)) {
    const cause = message.replace(BROKER_FAILED, '');
    return cause.startsWith(CONNECTION_ERROR) ? cause.slice(CONNECTION_ERROR.length) : cause || 'connection failed';
  }
  return undefined;
}

/** The longest kafkajs' retrier waits in all between attempts (its back-off doubles up to the cap). */
export function retryBudgetMs(retry: { initialRetryTime: number; maxRetryTime: number; retries: number }): number {
  let total = 0;
  for (let attempt = 0; attempt < retry.retries; attempt++) {
    total += Math.min(retry.initialRetryTime * 2 ** attempt, retry.maxRetryTime);
  }
  return total;
}

/**
 * Routes kafkajs' log lines to the bus's logger. Until the bus has started, a broker that cannot be
 * reached gets one line naming KAFKA_BROKERS (the variable to fix) instead of two lines with a stack
 * at each of kafkajs' retries; once started, its connection lines report real outages and pass as before.
 */
export class KafkajsLog {
  private started = false;
  private warnedUnreachable = false;

  constructor(
    private readonly logger: Logger,
    private readonly brokers: readonly string[],
    private readonly retryForMs: number,
  ) {}

  /**
   * The bus's start succeeded. Not at a failed one: a gateway tries again until one succeeds
   * (publishing meanwhile) and has said once that the bus is down, so its attempts stay collapsed.
   */
  markStarted(): void {
    this.started = true;
    if (this.warnedUnreachable) this.logger.info(`reached the Kafka broker at KAFKA_BROKERS=${this.brokers.join(',')}`);
  }

  write(entry: LogEntry): void {
    const level = KAFKAJS_LEVELS[entry.level];
    if (!level || level === 'debug') {
      return;
    }
    const { message, ...fields } = entry.log;
    if (EXPECTED_KAFKAJS_WARNINGS.some((expected) => message.startsWith(expected))) {
      return;
    }
    const text = `kafkajs: ${message}`;
    const cause = this.started ? undefined : connectionFailureCause(entry);
    if (cause === undefined) {
      this.logger[level](text, { ...fields, namespace: entry.namespace });
      return;
    }
    this.unreachable(cause);
    // Still there for whoever runs with LOG_LEVEL=debug, without the stack at every retry by default.
    this.logger.debug(text, { namespace: entry.namespace });
  }

  private unreachable(cause: string): void {
    if (this.warnedUnreachable) {
      return;
    }
    this.warnedUnreachable = true;
    // To the nearest 10 s: kafkajs jitters its back-off and each attempt adds its own connect time.
    const seconds = Math.max(10, Math.round(this.retryForMs / 10_000) * 10);
    this.logger.warn(`cannot reach the Kafka broker at KAFKA_BROKERS=${this.brokers.join(',')} (${cause}); retrying for up to ~${seconds} s before giving up`, { cause });
  }
}
