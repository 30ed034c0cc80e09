import { routingTargetViolations, routingTargets } from './routing-targets';

describe(routingTargets.name, () => {
  it("names each lb-rule route's target, to be an app", () => {
    expect(routingTargets('lb-rule', { routes: [{ match: { pathPrefix: '/' }, to: 'shop-api' }, { match: { path: '/x' }, to: 'shop-admin' }] })).toEqual([
      { field: 'spec.routes[0].to', component: 'shop-api', mustBe: 'app' },
      { field: 'spec.routes[1].to', component: 'shop-admin', mustBe: 'app' },
    ]);
  });

  it("names each network policy rule's target, of any type", () => {
    expect(routingTargets('network-policy', { allow: [{ from: { component: 'web' }, to: 'shop-api' }] })).toEqual([{ field: 'spec.allow[0].to', component: 'shop-api' }]);
  });

  it('names nothing for other layers or a spec without the list', () => {
    expect(routingTargets('app', { routes: [{ to: 'x' }] })).toEqual([]);
    expect(routingTargets('lb-rule', null)).toEqual([]);
    expect(routingTargets('network-policy', { allow: 'x' })).toEqual([]);
  });
});

describe(routingTargetViolations.name, () => {
  const known = new Map([
    ['shop-api', 'app'],
    ['shop-db', 'db-schema'],
  ]);
  const member = (type: string, spec: unknown) => ({ field: 'members[2]', name: 'shop-lb@1.1.0', type, spec });

  it('accepts routes to apps of the stack', () => {
    expect(routingTargetViolations(member('lb-rule', { routes: [{ match: { pathPrefix: '/' }, to: 'shop-api' }] }), 'shop', known)).toEqual([]);
  });

  it('refuses a route to a component the stack does not have, and one to a component that is no app', () => {
    expect(routingTargetViolations(member('lb-rule', { routes: [{ match: { pathPrefix: '/' }, to: 'ghost-app' }, { match: { path: '/db' }, to: 'shop-db' }] }), 'shop', known)).toEqual([
      { field: 'members[2]', message: "shop-lb@1.1.0 spec.routes[0].to names 'ghost-app', which is not a component of stack shop" },
      { field: 'members[2]', message: "shop-lb@1.1.0 spec.routes[1].to names 'shop-db', a db-schema component: only app components take traffic" },
    ]);
  });

  it("refuses a network policy's target the stack does not have; any of its components will do", () => {
    expect(routingTargetViolations(member('network-policy', { allow: [{ from: { component: 'ghost' }, to: 'ghost2' }, { from: { cidr: '10.0.0.0/8' }, to: 'shop-db' }] }), 'shop', known)).toEqual([
      { field: 'members[2]', message: "shop-lb@1.1.0 spec.allow[0].to names 'ghost2', which is not a component of stack shop" },
    ]);
  });
});
