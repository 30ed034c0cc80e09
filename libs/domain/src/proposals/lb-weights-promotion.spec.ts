import { DomainError } from '../errors/domain-error';
import { lbWeightsCompileCheck, lbWeightsSpec } from './lb-weights-promotion';
import { promotionGroupName } from './index-promotion';

const weights = { '10.0.0.5:8080': 80, '10.0.0.6:8080': 20 };

function thrown(work: () => unknown): DomainError {
  try {
    work();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe(lbWeightsSpec.name, () => {
  it('keeps the deployed routes, retries and stickiness, replacing only the node weights', () => {
    const deployed = { routes: [{ match: { pathPrefix: '/shop' }, to: 'shop-api', retries: { attempts: 1, on: ['5xx'] }, stickiness: { cookie: 'aff' } }], nodeWeights: { old: 1 } };
    expect(lbWeightsSpec(deployed, weights, 'shop-api')).toEqual({ routes: deployed.routes, nodeWeights: weights });
  });

  it('takes every request to the app when no lb-rule version is deployed', () => {
    expect(lbWeightsSpec(null, weights, 'shop-api')).toEqual({ routes: [{ match: { pathPrefix: '/' }, to: 'shop-api' }], nodeWeights: weights });
  });

  it('refuses weights that are not node weights, naming change.weights', () => {
    expect(thrown(() => lbWeightsSpec(null, { a: -3 }, 'shop-api')).violations).toEqual([{ field: 'change.weights["a"]', message: expect.stringContaining('cannot be negative') }]);
    expect(thrown(() => lbWeightsSpec(null, 'a=80', 'shop-api')).violations).toEqual([{ field: 'change.weights', message: expect.stringContaining('must be an object') }]);
  });

  it('refuses a deployed spec the weights cannot be added to, naming its field', () => {
    expect(thrown(() => lbWeightsSpec({ routes: [] }, weights, 'shop-api')).violations).toEqual([{ field: 'spec.routes', message: expect.stringContaining('non-empty list') }]);
  });
});

describe(lbWeightsCompileCheck.name, () => {
  it('validates weights that compile into a valid routing policy, with the idle share of each node, and says it is no traffic check', () => {
    const sut = lbWeightsCompileCheck({ weights, app: 'shop-api', stackConfig: 'shop-1' });
    expect(sut).toMatchObject({ method: 'compile-check', validated: true, violations: [], shares: { '10.0.0.5:8080': 0.8, '10.0.0.6:8080': 0.2 } });
    expect(sut.reason).toMatch(/^compile check, not a traffic check: .*shop-1 \(10\.0\.0\.5:8080 80 %, 10\.0\.0\.6:8080 20 %.*no mirrored traffic was measured$/);
  });

  it('refuses weights that do not compile, with the violations and why', () => {
    const sut = lbWeightsCompileCheck({ weights: { a: 0, b: 0 }, app: 'shop-api', stackConfig: null });
    expect(sut).toMatchObject({ validated: false, shares: {}, violations: [{ field: 'change.weights', message: expect.stringContaining('above 0') }] });
    expect(sut.reason).toContain('compile check (not a traffic check) failed: change.weights');
  });

  it('refuses a deployed lb-rule that routes to another app than the gateway fronts', () => {
    const sut = lbWeightsCompileCheck({ weights, app: 'shop-api', stackConfig: 'shop-1', deployed: { routes: [{ match: { pathPrefix: '/' }, to: 'payments' }] } });
    expect(sut).toMatchObject({ validated: false, violations: [{ field: 'lbRule.spec.routes[0].to' }] });
  });

  it('refuses a node id the routing policy cannot carry', () => {
    expect(lbWeightsCompileCheck({ weights: { ['x'.repeat(300)]: 5 }, app: 'shop-api', stackConfig: 'shop-1' })).toMatchObject({ validated: false });
  });
});

describe(promotionGroupName.name, () => {
  it('names the group after what it promotes', () => {
    expect(promotionGroupName('shop', '6f1c1d7e-1111-4000-8000-000000000000', 'weights')).toBe('shop-weights-6f1c1d7e1111');
    expect(promotionGroupName('shop', '6f1c1d7e-1111-4000-8000-000000000000')).toBe('shop-index-6f1c1d7e1111');
  });
});
