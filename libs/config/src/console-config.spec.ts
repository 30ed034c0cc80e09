import { ConfigError } from './env';
import { CONSOLE_UPSTREAMS, readConsoleConfig, upstreamUrlVariable } from './console-config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    readConsoleConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe(readConsoleConfig.name, () => {
  it('reads the defaults: port 8080, the services on their default ports of this host, Kafka as the bus', () => {
    const sut = readConsoleConfig({ KAFKA_BROKERS: 'kafka:9092' });
    expect(sut).toEqual({
      host: '127.0.0.1',
      port: 8080,
      logLevel: 'info',
      bus: expect.objectContaining({ transport: 'kafka', brokers: ['kafka:9092'], clientId: 'strata-console' }),
      upstreams: {
        registry: 'http://127.0.0.1:3001',
        'metrics-ingest': 'http://127.0.0.1:3002',
        'predictive-staging': 'http://127.0.0.1:3003',
        'routing-control': 'http://127.0.0.1:3004',
        rollback: 'http://127.0.0.1:3005',
      },
      adminToken: undefined,
    });
  });

  it('names one variable per service', () => {
    expect(CONSOLE_UPSTREAMS.map(upstreamUrlVariable)).toEqual(['STRATA_REGISTRY_URL', 'STRATA_METRICS_INGEST_URL', 'STRATA_PREDICTIVE_STAGING_URL', 'STRATA_ROUTING_CONTROL_URL', 'STRATA_ROLLBACK_URL']);
  });

  it('takes each service URL as given, without its trailing slash, and a path prefix behind an ingress', () => {
    const sut = readConsoleConfig({ STRATA_BUS: 'memory', STRATA_REGISTRY_URL: 'http://registry/', STRATA_ROLLBACK_URL: 'https://strata.example.com/rollback', PORT: '9000', HOST: '0.0.0.0' });
    expect(sut).toMatchObject({ host: '0.0.0.0', port: 9000, bus: { transport: 'memory' }, upstreams: { registry: 'http://registry', rollback: 'https://strata.example.com/rollback' } });
  });

  it('refuses a bad value naming the variable and what it got', () => {
    const problems = problemsOf({ STRATA_REGISTRY_URL: 'registry:3001', STRATA_ROUTING_CONTROL_URL: 'ftp://x', STRATA_METRICS_INGEST_URL: 'http://x/?a=1', PORT: 'eighty', STRATA_ADMIN_TOKEN: 'short' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^STRATA_REGISTRY_URL: must be an http:\/\/ or https:\/\/ URL.*\(got 'registry:3001'\)$/),
        expect.stringMatching(/^STRATA_ROUTING_CONTROL_URL: .*\(got 'ftp:\/\/x'\)$/),
        expect.stringMatching(/^STRATA_METRICS_INGEST_URL: /),
        expect.stringMatching(/^PORT: must be a port number/),
        expect.stringMatching(/^STRATA_ADMIN_TOKEN: /),
      ]),
    );
  });

  it('needs KAFKA_BROKERS on Kafka, the default bus, as the services do', () => {
    expect(problemsOf({})).toEqual([expect.stringMatching(/^KAFKA_BROKERS: is required when STRATA_BUS=kafka/)]);
  });
});
