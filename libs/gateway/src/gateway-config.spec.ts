import { ConfigError } from '@strata/config';
import { readGatewayConfig } from './gateway-config';

describe(readGatewayConfig.name, () => {
  const env = { STRATA_GATEWAY_ID: 'gw-1', STRATA_BUS: 'memory' };

  it('bounds connection timeouts by default', () => {
    expect(readGatewayConfig({ ...env, HOST: '10.0.0.7' })).toMatchObject({
      host: '10.0.0.7',
      port: 8000,
      limits: { headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 65_000 },
    });
  });

  it('takes the documented overrides', () => {
    const sut = readGatewayConfig({
      ...env,
      STRATA_GATEWAY_HEADERS_TIMEOUT_MS: '5000',
      STRATA_GATEWAY_REQUEST_TIMEOUT_MS: '30000',
      STRATA_GATEWAY_KEEP_ALIVE_TIMEOUT_MS: '5000',
    });

    expect(sut).toMatchObject({ limits: { headersTimeoutMs: 5_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 } });
  });

  it.each([
    [{ STRATA_GATEWAY_HEADERS_TIMEOUT_MS: 'ten' }, "STRATA_GATEWAY_HEADERS_TIMEOUT_MS: must be a number of milliseconds (got 'ten')"],
    [{ STRATA_GATEWAY_HEADERS_TIMEOUT_MS: '0' }, "STRATA_GATEWAY_HEADERS_TIMEOUT_MS: must be at least 1000 (got '0')"],
    [{ STRATA_GATEWAY_KEEP_ALIVE_TIMEOUT_MS: '1.5' }, "STRATA_GATEWAY_KEEP_ALIVE_TIMEOUT_MS: must be a whole number (got '1.5')"],
    [{ STRATA_GATEWAY_HEADERS_TIMEOUT_MS: '20000', STRATA_GATEWAY_REQUEST_TIMEOUT_MS: '15000' }, "STRATA_GATEWAY_REQUEST_TIMEOUT_MS: must be at least STRATA_GATEWAY_HEADERS_TIMEOUT_MS (20000) (got '15000')"],
  ])('refuses %j, naming the variable', (overrides, message) => {
    const read = () => readGatewayConfig({ ...env, ...overrides });

    expect(read).toThrow(ConfigError);
    expect(read).toThrow(message);
  });
});
