import { GatewayFallbackChangedV1 } from '@strata/contracts';
import { Logger, captureLogs } from '@strata/observability';
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
    const logs = captureLogs('info');
    try {
      const published: unknown[] = [];
      reportRoutingModeChange(reported, (messages) => published.push(...messages), new Logger('test'));
      expect(published).toHaveLength(1);
    } finally {
      logs.restore();
    }
    return logs.lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
  };

  it('says the mode came back only when it did, and otherwise what changed in the configs without an available node', () => {
    expect(logged(change('normal', 'fallback', []))).toEqual(['routing mode back to normal']);
    expect(logged(change('normal', 'normal', ['shop-2']))).toEqual(['stack configs without an available node']);
    expect(logged(change('normal', 'normal', []))).toEqual(['every stack config has an available node again']);
    expect(logged(change('fallback', 'normal', ['shop-2']))).toEqual(['routing mode fallback']);
  });
});
