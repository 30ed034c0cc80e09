import { ConfigError } from './env';
import { readEmbeddedConfig } from './embedded-config';

describe(readEmbeddedConfig.name, () => {
  it('needs nothing on a fresh machine', () => {
    const sut = readEmbeddedConfig({});
    expect(sut).toMatchObject({
      host: '127.0.0.1',
      apiPort: 8080,
      gatewayPort: 8000,
      dataDir: '.strata',
      databaseUrl: undefined,
      bus: { transport: 'memory' },
    });
  });

  it('takes the documented overrides', () => {
    const sut = readEmbeddedConfig({ STRATA_PORT: '9090', STRATA_GATEWAY_PORT: '9000', STRATA_DATA_DIR: '/var/lib/strata' });
    expect(sut).toMatchObject({ apiPort: 9090, gatewayPort: 9000, dataDir: '/var/lib/strata' });
  });

  it('names a bad STRATA_PORT', () => {
    expect(() => readEmbeddedConfig({ STRATA_PORT: 'x' })).toThrow(ConfigError);
    expect(() => readEmbeddedConfig({ STRATA_PORT: 'x' })).toThrow(/STRATA_PORT/);
  });

  it('can use Kafka when asked', () => {
    expect(readEmbeddedConfig({ STRATA_BUS: 'kafka', KAFKA_BROKERS: '127.0.0.1:9092' }).bus).toMatchObject({ transport: 'kafka', clientId: 'strata' });
  });

  it('takes an admin token of at least 32 safe characters, and names a bad STRATA_ADMIN_TOKEN', () => {
    expect(readEmbeddedConfig({}).adminToken).toBeUndefined();
    expect(readEmbeddedConfig({ STRATA_ADMIN_TOKEN: 'a'.repeat(64) }).adminToken).toBe('a'.repeat(64));
    expect(() => readEmbeddedConfig({ STRATA_ADMIN_TOKEN: 'short' })).toThrow(/STRATA_ADMIN_TOKEN/);
    expect(() => readEmbeddedConfig({ STRATA_ADMIN_TOKEN: `${'a'.repeat(40)} b` })).toThrow(/STRATA_ADMIN_TOKEN/);
  });
});
