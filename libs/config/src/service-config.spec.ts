import { ConfigError } from './env';
import { readServiceConfig } from './service-config';

const valid = {
  DATABASE_URL: 'postgres://strata@db:5432/strata',
  KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    readServiceConfig('registry', 3001, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      return [...error.problems];
    }
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe(readServiceConfig.name, () => {
  it('reads a distributed configuration with defaults', () => {
    const sut = readServiceConfig('registry', 3001, valid);
    expect(sut).toEqual({
      service: 'registry',
      host: '127.0.0.1',
      port: 3001,
      logLevel: 'info',
      database: { url: valid.DATABASE_URL, poolSize: 10 },
      bus: {
        transport: 'kafka',
        brokers: ['kafka-1:9092', 'kafka-2:9092'],
        clientId: 'strata-registry',
        topicPrefix: 'strata.',
        partitions: 3,
        replicationFactor: 1,
        sessionTimeoutMs: 30_000,
      },
      outbox: { pollIntervalMs: 200, retentionHours: 24 },
    });
  });

  it('names a missing DATABASE_URL', () => {
    expect(problemsOf({ KAFKA_BROKERS: 'k:9092' })).toEqual([expect.stringMatching(/^DATABASE_URL: .*\(not set\)$/)]);
  });

  it('names a DATABASE_URL that is not postgres', () => {
    expect(problemsOf({ ...valid, DATABASE_URL: 'mysql://x' })).toEqual([
      "DATABASE_URL: must be a postgres:// or postgresql:// URL (got 'mysql://x')",
    ]);
  });

  it('names a bad PORT', () => {
    expect(problemsOf({ ...valid, PORT: 'eighty' })).toEqual([expect.stringMatching(/^PORT: .*\(got 'eighty'\)$/)]);
    expect(problemsOf({ ...valid, PORT: '70000' })).toEqual([expect.stringMatching(/^PORT: /)]);
  });

  it('requires KAFKA_BROKERS for the kafka bus', () => {
    expect(problemsOf({ DATABASE_URL: valid.DATABASE_URL })).toEqual(['KAFKA_BROKERS: is required when STRATA_BUS=kafka (not set)']);
  });

  it('names malformed brokers', () => {
    expect(problemsOf({ ...valid, KAFKA_BROKERS: 'localhost' })).toEqual([
      "KAFKA_BROKERS: must be a comma-separated list of host:port (got 'localhost')",
    ]);
  });

  it('names an unknown bus', () => {
    expect(problemsOf({ ...valid, STRATA_BUS: 'rabbit' })).toEqual([expect.stringMatching(/^STRATA_BUS: .*\(got 'rabbit'\)$/)]);
  });

  it('allows the in-memory bus without brokers', () => {
    const sut = readServiceConfig('registry', 3001, { DATABASE_URL: valid.DATABASE_URL, STRATA_BUS: 'memory' });
    expect(sut.bus).toEqual({ transport: 'memory', topicPrefix: 'strata.', partitions: 3 });
  });

  it('refuses a session timeout below the broker minimum', () => {
    expect(problemsOf({ ...valid, KAFKA_SESSION_TIMEOUT_MS: '1000' })).toEqual([
      "KAFKA_SESSION_TIMEOUT_MS: must be at least 6000 (the broker minimum) (got '1000')",
    ]);
  });

  it('treats empty variables as unset', () => {
    expect(readServiceConfig('registry', 3001, { ...valid, PORT: '', LOG_LEVEL: '' }).port).toBe(3001);
  });

  it('reports several problems at once', () => {
    expect(problemsOf({ DATABASE_URL: 'x', LOG_LEVEL: 'loud', KAFKA_BROKERS: 'k:1' })).toHaveLength(2);
  });
});
