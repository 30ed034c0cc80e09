import { availableParallelism } from 'node:os';
import { ConfigError } from '@strata/config';
import { readGatewayConfig, readGatewayListenersConfig, readGatewayScopeConfig } from './gateway-config';

describe(readGatewayConfig.name, () => {
  const env = { STRATA_GATEWAY_ID: 'gw-1', STRATA_BUS: 'memory' };

  it('puts the admin listener on 9901 of the data host, with bounded connection timeouts, by default', () => {
    expect(readGatewayConfig({ ...env, HOST: '10.0.0.7' })).toMatchObject({
      host: '10.0.0.7',
      port: 8000,
      admin: { host: '10.0.0.7', port: 9901 },
      limits: { headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 65_000 },
    });
  });

  it('takes the documented overrides', () => {
    const sut = readGatewayConfig({
      ...env,
      HOST: '0.0.0.0',
      STRATA_GATEWAY_ADMIN_HOST: '127.0.0.1',
      STRATA_GATEWAY_ADMIN_PORT: '9100',
      STRATA_GATEWAY_HEADERS_TIMEOUT_MS: '5000',
      STRATA_GATEWAY_REQUEST_TIMEOUT_MS: '30000',
      STRATA_GATEWAY_KEEP_ALIVE_TIMEOUT_MS: '5000',
    });

    expect(sut).toMatchObject({ host: '0.0.0.0', admin: { host: '127.0.0.1', port: 9100 }, limits: { headersTimeoutMs: 5_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 } });
  });

  it('runs one worker per core unless STRATA_GATEWAY_WORKERS says otherwise', () => {
    expect(readGatewayConfig(env).workers).toBe(availableParallelism());
    expect(readGatewayConfig({ ...env, STRATA_GATEWAY_WORKERS: '3' }).workers).toBe(3);
  });

  it('serves one stack unless STRATA_GATEWAY_VIRTUAL_HOSTS names several', () => {
    expect(readGatewayConfig({ ...env, STRATA_GATEWAY_STACK: 'shop' })).toMatchObject({ stack: 'shop', virtualHosts: undefined });
    expect(readGatewayConfig({ ...env, STRATA_GATEWAY_VIRTUAL_HOSTS: 'shop/production=Shop.example.com;search/staging=/search/' }).virtualHosts).toEqual([
      { stack: 'shop', environment: 'production', hosts: ['shop.example.com'], pathPrefixes: [] },
      { stack: 'search', environment: 'staging', hosts: [], pathPrefixes: ['/search/'] },
    ]);
  });

  it.each([
    [{ STRATA_GATEWAY_VIRTUAL_HOSTS: 'shop/production=shop.example.com', STRATA_GATEWAY_STACK: 'shop' }, 'STRATA_GATEWAY_VIRTUAL_HOSTS: names the stacks served; leave STRATA_GATEWAY_STACK'],
    [{ STRATA_GATEWAY_VIRTUAL_HOSTS: 'shop=shop.example.com' }, "STRATA_GATEWAY_VIRTUAL_HOSTS: 'shop=shop.example.com' must be stack/environment="],
    [{ STRATA_GATEWAY_HEADERS_TIMEOUT_MS: 'ten' }, "STRATA_GATEWAY_HEADERS_TIMEOUT_MS: must be a number of milliseconds (got 'ten')"],
    [{ STRATA_GATEWAY_HEADERS_TIMEOUT_MS: '0' }, "STRATA_GATEWAY_HEADERS_TIMEOUT_MS: must be at least 1000 (got '0')"],
    [{ STRATA_GATEWAY_KEEP_ALIVE_TIMEOUT_MS: '1.5' }, "STRATA_GATEWAY_KEEP_ALIVE_TIMEOUT_MS: must be a whole number (got '1.5')"],
    [{ STRATA_GATEWAY_HEADERS_TIMEOUT_MS: '20000', STRATA_GATEWAY_REQUEST_TIMEOUT_MS: '15000' }, "STRATA_GATEWAY_REQUEST_TIMEOUT_MS: must be at least STRATA_GATEWAY_HEADERS_TIMEOUT_MS (20000) (got '15000')"],
    [{ STRATA_GATEWAY_ADMIN_PORT: '70000' }, 'STRATA_GATEWAY_ADMIN_PORT: '],
    [{ STRATA_GATEWAY_WORKERS: '0' }, "STRATA_GATEWAY_WORKERS: must be at least 1 (got '0')"],
    [{ STRATA_GATEWAY_WORKERS: 'many' }, "STRATA_GATEWAY_WORKERS: must be a number of processes (got 'many')"],
    [{ PORT: '9000', STRATA_GATEWAY_ADMIN_PORT: '9000' }, "STRATA_GATEWAY_ADMIN_PORT: must differ from PORT, the data port (got '9000')"],
  ])('refuses %j, naming the variable', (overrides, message) => {
    const read = () => readGatewayConfig({ ...env, ...overrides });

    expect(read).toThrow(ConfigError);
    expect(read).toThrow(message);
  });
});

describe(readGatewayListenersConfig.name, () => {
  it('names the embedded launcher\'s data port variable when the admin port is the same', () => {
    expect(() => readGatewayListenersConfig({ STRATA_GATEWAY_ADMIN_PORT: '8000' }, { host: '127.0.0.1', port: 8000, portVariable: 'STRATA_GATEWAY_PORT' })).toThrow(
      "STRATA_GATEWAY_ADMIN_PORT: must differ from STRATA_GATEWAY_PORT, the data port (got '8000')",
    );
  });

  it('lets both ports be 0, each then taking a free one', () => {
    expect(readGatewayListenersConfig({ STRATA_GATEWAY_ADMIN_PORT: '0' }, { host: '127.0.0.1', port: 0, portVariable: 'PORT' }).admin).toEqual({ host: '127.0.0.1', port: 0 });
  });
});

describe(readGatewayScopeConfig.name, () => {
  it("reads what the embedded launcher's gateway serves by the same variables as a gateway of its own", () => {
    expect(readGatewayScopeConfig({})).toEqual({ stack: undefined, environment: undefined, virtualHosts: undefined });
    expect(readGatewayScopeConfig({ STRATA_GATEWAY_VIRTUAL_HOSTS: 'shop/production=/;ledger/prod-eu-1=/ledger' }).virtualHosts).toEqual([
      { stack: 'shop', environment: 'production', hosts: [], pathPrefixes: ['/'] },
      { stack: 'ledger', environment: 'prod-eu-1', hosts: [], pathPrefixes: ['/ledger'] },
    ]);
    expect(() => readGatewayScopeConfig({ STRATA_GATEWAY_STACK: 'Shop' })).toThrow('STRATA_GATEWAY_STACK: must be a stack name');
  });
});
