import { LogLevel, Logger, captureLogs } from '@strata/observability';
import { LogEntry, logLevel } from 'kafkajs';
import { KafkajsLog, connectionFailureCause, retryBudgetMs } from './kafkajs-log';

/** The two lines kafkajs writes at each failed attempt to reach a seed broker that is not there. */
const failedAttempt = (retryCount: number): LogEntry[] => [
  {
    namespace: 'Connection',
    level: logLevel.ERROR,
    label: 'ERROR',
    log: { timestamp: 't', message: 'Connection error: connect ECONNREFUSED 127.0.0.1:1', broker: '127.0.0.1:1', clientId: 'c', stack: 'Error: connect ECONNREFUSED 127.0.0.1:1\n    at TCPConnectWrap.afterConnect' },
  },
  {
    namespace: 'BrokerPool',
    level: logLevel.ERROR,
    label: 'ERROR',
    log: { timestamp: 't', message: 'Failed to connect to seed broker, trying another broker from the list: Connection error: connect ECONNREFUSED 127.0.0.1:1', retryCount, retryTime: 300 },
  },
];

interface Line {
  level: string;
  msg: string;
  stack?: string;
}

function logged(run: (sut: KafkajsLog) => void, level: LogLevel = 'info'): Line[] {
  const logs = captureLogs(level);
  try {
    run(new KafkajsLog(new Logger('bus'), ['127.0.0.1:1'], 58_900));
  } finally {
    logs.restore();
  }
  return logs.lines.map((line) => JSON.parse(line) as Line);
}

const attempts = (sut: KafkajsLog, count: number) => {
  for (let retry = 0; retry < count; retry++) failedAttempt(retry).forEach((entry) => sut.write(entry));
};

describe(KafkajsLog.name, () => {
  it('says once, at the first failed attempt of a start, which KAFKA_BROKERS cannot be reached and why, without a stack per retry', () => {
    const lines = logged((sut) => attempts(sut, 10));
    expect(lines).toEqual([{ level: 'warn', msg: 'cannot reach the Kafka broker at KAFKA_BROKERS=127.0.0.1:1 (connect ECONNREFUSED 127.0.0.1:1); retrying for up to ~60 s before giving up', context: 'bus', time: expect.any(String), cause: 'connect ECONNREFUSED 127.0.0.1:1' }]);
  });

  it('keeps the collapsed attempts for debugging, and says when the broker is reached', () => {
    const lines = logged((sut) => {
      attempts(sut, 1);
      sut.markStarted();
    }, 'debug');
    expect(lines.map((line) => [line.level, line.msg, line.stack])).toEqual([
      ['warn', expect.stringContaining('KAFKA_BROKERS=127.0.0.1:1'), undefined],
      ['debug', 'kafkajs: Connection error: connect ECONNREFUSED 127.0.0.1:1', undefined],
      ['debug', expect.stringContaining('kafkajs: Failed to connect to seed broker'), undefined],
      ['info', 'reached the Kafka broker at KAFKA_BROKERS=127.0.0.1:1', undefined],
    ]);
  });

  it('stays collapsed over starts tried again until one succeeds (a gateway starts its bus behind, publishing meanwhile), then lets connection failures through with their stack: they are outages', () => {
    const lines = logged((sut) => {
      attempts(sut, 3);
      attempts(sut, 3);
      sut.markStarted();
      attempts(sut, 1);
    });
    expect(lines.map((line) => [line.level, line.msg, line.stack])).toEqual([
      ['warn', expect.stringContaining('cannot reach the Kafka broker at KAFKA_BROKERS=127.0.0.1:1'), undefined],
      ['info', 'reached the Kafka broker at KAFKA_BROKERS=127.0.0.1:1', undefined],
      ['warn', 'kafkajs: Connection error: connect ECONNREFUSED 127.0.0.1:1', expect.stringContaining('ECONNREFUSED')],
      ['warn', expect.stringContaining('kafkajs: Failed to connect to seed broker'), undefined],
    ]);
  });

  it('says nothing of a broker reached at the first attempt', () => {
    expect(logged((sut) => sut.markStarted())).toEqual([]);
  });

  it('passes other warnings during start, and drops the expected ones', () => {
    const warning = (message: string): LogEntry => ({ namespace: 'Admin', level: logLevel.WARN, label: 'WARN', log: { timestamp: 't', message } });
    const lines = logged((sut) => {
      sut.write(warning('Limiting retries for the idempotent producer (retries: 5)'));
      sut.write(warning('The group coordinator is not available'));
    });
    expect(lines.map((line) => line.msg)).toEqual(['kafkajs: The group coordinator is not available']);
  });
});

describe(connectionFailureCause.name, () => {
  const entry = (namespace: string, message: string, fields: Record<string, unknown> = {}): LogEntry => ({ namespace, level: logLevel.ERROR, label: 'ERROR', log: { timestamp: 't', message, ...fields } });

  it('names the cause of a broker kafkajs cannot reach, and nothing else', () => {
    expect(connectionFailureCause(entry('Connection', 'Connection timeout', { broker: '10.0.0.9:9092' }))).toBe('connection to 10.0.0.9:9092 timed out');
    expect(connectionFailureCause(entry('Connection', 'Connection error: getaddrinfo ENOTFOUND kafka'))).toBe('getaddrinfo ENOTFOUND kafka');
    expect(connectionFailureCause(entry('BrokerPool', 'Failed to connect to broker, reconnecting'))).toBe('connection failed');
    expect(connectionFailureCause(entry('Connection', 'Response Metadata(key: 3, version: 6)'))).toBeUndefined();
    expect(connectionFailureCause(entry('Consumer', 'Connection error: connect ECONNREFUSED 127.0.0.1:1'))).toBeUndefined();
  });
});

describe(retryBudgetMs.name, () => {
  it('adds the back-off kafkajs waits between attempts, doubling up to its cap', () => {
    expect(retryBudgetMs({ initialRetryTime: 300, maxRetryTime: 10_000, retries: 10 })).toBe(300 + 600 + 1_200 + 2_400 + 4_800 + 9_600 + 4 * 10_000);
  });
});
