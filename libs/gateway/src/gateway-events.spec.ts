import { GatewayFallbackChangedV1 } from '@strata/contracts';
import { LogLevel, Logger, setLogLevel, setLogSink } from '@strata/observability';
import { reportRoutingModeChange } from './gateway-events';

describe(reportRoutingModeChange.name, () => {
  const change = (mode: GatewayFallbackChangedV1['mode'], previousMode: GatewayFallbackChangedV1['mode'], unavailableConfigs: string[]): GatewayFallbackChangedV1 => ({
    stack: 'shop',
    environment: 'production',
    gatewayId: 'gw-1',
    version: 3,
    mode,
    previousMode,
    unavailableConfigs,
    servingConfigs: ['shop-1'],
    reason: 'health checks',
  });
  const logged = (reported: GatewayFallbackChangedV1) => {
    const lines: string[] = [];
    const restore = setLogSink((line) => lines.push(line));
    setLogLevel('info');
    try {
      const published: unknown[] = [];
      reportRoutingModeChange(reported, (messages) => published.push(...messages), new Logger('test'));
      expect(published).toHaveLength(1);
    } finally {
      setLogLevel((process.env['STRATA_TEST_LOGS'] as LogLevel | undefined) ?? 'error');
      restore();
    }
    return lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
  };

  it('says the mode came back only when it did, and otherwise what changed in the configs without an available node', () => {
    expect(logged(change('normal', 'fallback', []))).toEqual(['routing mode back to normal']);
    expect(logged(change('normal', 'normal', ['shop-2']))).toEqual(['stack configs without an available node']);
    expect(logged(change('normal', 'normal', []))).toEqual(['every stack config has an available node again']);
    expect(logged(change('fallback', 'normal', ['shop-2']))).toEqual(['routing mode fallback']);
  });
});
