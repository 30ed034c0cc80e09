import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import { componentVersionChecksum } from './checksum';
import { ComponentVersion } from './component-version';

function checkoutApi(): ComponentVersion {
  return {
    component: 'checkout-api',
    type: 'app',
    version: '2.4.0',
    dependencies: [
      { component: 'checkout-db', range: '>=14.1.0 <15.0.0' },
      { component: 'payments-contract', range: '^3.0.0' },
    ],
    config: { replicas: 3, featureCoupons: true, requestTimeout: '2s' },
    spec: { artifact: 'registry.example.com/checkout-api:2.4.0', port: 8080, versionHeader: 'x-app-version' },
    rollback: [{ routing: { restore: 'previous' } }],
    healthCheck: { url: 'http://{node}/healthz', expectStatus: 200, timeout: '1s', interval: '5s' },
  };
}

describe(componentVersionChecksum.name, () => {
  const sut = componentVersionChecksum;

  it('is the sha256 of the canonical JSON', () => {
    const version = checkoutApi();
    const expected = createHash('sha256').update(canonicalJson(version)).digest('hex');
    expect(sut(version)).toBe(`sha256:${expected}`);
  });

  it('is stable under key order at every depth', () => {
    const version = checkoutApi();
    const reordered: ComponentVersion = {
      healthCheck: { interval: '5s', timeout: '1s', expectStatus: 200, url: 'http://{node}/healthz' },
      rollback: [{ routing: { restore: 'previous' } }],
      spec: { versionHeader: 'x-app-version', port: 8080, artifact: 'registry.example.com/checkout-api:2.4.0' },
      config: { requestTimeout: '2s', featureCoupons: true, replicas: 3 },
      dependencies: [
        { range: '>=14.1.0 <15.0.0', component: 'checkout-db' },
        { range: '^3.0.0', component: 'payments-contract' },
      ],
      version: '2.4.0',
      type: 'app',
      component: 'checkout-api',
    };
    expect(sut(reordered)).toBe(sut(version));
  });

  it('is stable under the order of dependencies, which carries no meaning', () => {
    const version = checkoutApi();
    expect(sut({ ...version, dependencies: [...version.dependencies].reverse() })).toBe(sut(version));
  });

  it('does not change the caller’s dependency order', () => {
    const version = checkoutApi();
    const reversed = [...version.dependencies].reverse();
    sut({ ...version, dependencies: reversed });
    expect(reversed[0].component).toBe('payments-contract');
  });

  it('changes with the order of rollback actions, which run in order', () => {
    const version: ComponentVersion = { ...checkoutApi(), rollback: [{ routing: { restore: 'previous' } }, { event: { type: 'io.strata.x.v1' } }] };
    expect(sut({ ...version, rollback: [...version.rollback].reverse() })).not.toBe(sut(version));
  });

  it.each<[string, (version: ComponentVersion) => ComponentVersion]>([
    ['version', (version) => ({ ...version, version: '2.4.1' })],
    ['a config value', (version) => ({ ...version, config: { ...version.config, replicas: 4 } })],
    ['a config value type', (version) => ({ ...version, config: { ...version.config, replicas: '3' } })],
    ['the spec', (version) => ({ ...version, spec: { artifact: 'registry.example.com/checkout-api:2.4.1', port: 8080 } })],
    ['a dependency range', (version) => ({ ...version, dependencies: [{ component: 'checkout-db', range: '^14.1.0' }] })],
    ['the health check', (version) => ({ ...version, healthCheck: undefined })],
  ])('changes when %s changes', (_, change) => {
    expect(sut(change(checkoutApi()))).not.toBe(sut(checkoutApi()));
  });

  it('covers only the fields of a version, not what a stored row carries besides', () => {
    const row = { ...checkoutApi(), id: 'b3c1', createdAt: new Date(0), checksum: 'sha256:old' };
    expect(sut(row)).toBe(sut(checkoutApi()));
  });

  it('treats an absent health check like an undefined one', () => {
    const { healthCheck: _omitted, ...withoutHealthCheck } = checkoutApi();
    expect(sut(withoutHealthCheck)).toBe(sut({ ...checkoutApi(), healthCheck: undefined }));
  });
});
