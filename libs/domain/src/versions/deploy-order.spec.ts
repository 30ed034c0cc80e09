import { DependentVersion } from './dependency-graph';
import { deployOrder, rollbackOrder } from './deploy-order';

function version(component: string, semver: string, dependsOn: Record<string, string> = {}): DependentVersion {
  return { component, version: semver, dependencies: Object.entries(dependsOn).map(([name, range]) => ({ component: name, range })) };
}

function componentsOf(result: ReturnType<typeof deployOrder>): string[] {
  if (!result.ok) {
    throw new Error(result.message);
  }
  return result.order.map((node) => node.component);
}

/** The version group of the example manifest. */
const checkoutGroup = [
  version('checkout-api', '2.4.0', { 'checkout-db': '>=14.1.0 <15.0.0', 'payments-contract': '^3.0.0' }),
  version('edge-lb', '7.0.0', { 'checkout-api': '^2.0.0' }),
  version('checkout-netpol', '5.0.0'),
  version('payments-contract', '3.2.0'),
  version('checkout-db', '14.1.0'),
];

/** Every permutation of a small list, to show the input order never matters. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) {
    return [[...items]];
  }
  return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
}

/** Deterministic pseudo-random numbers, so a failing generated case can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function randomAcyclicSet(random: () => number, size: number): DependentVersion[] {
  // Dependencies only point to components with a higher number, so the set is acyclic by construction.
  const shuffledNames = Array.from({ length: size }, (_, index) => `c${String(index).padStart(2, '0')}`).sort(() => random() - 0.5);
  return shuffledNames.map((name, index) => {
    const dependsOn: Record<string, string> = {};
    for (let other = index + 1; other < size; other++) {
      if (random() < 0.3) {
        dependsOn[shuffledNames[other]] = '*';
      }
    }
    return version(name, '1.0.0', dependsOn);
  });
}

describe(deployOrder.name, () => {
  const sut = deployOrder;

  it('deploys dependencies first, ties broken by component name', () => {
    expect(componentsOf(sut(checkoutGroup))).toEqual(['checkout-db', 'checkout-netpol', 'payments-contract', 'checkout-api', 'edge-lb']);
  });

  it('gives the same order whatever the input order', () => {
    const orders = new Set(permutations(checkoutGroup).map((group) => componentsOf(sut(group)).join(',')));
    expect(orders.size).toBe(1);
  });

  it('orders independent versions by name', () => {
    expect(componentsOf(sut([version('c', '1.0.0'), version('a', '1.0.0'), version('b', '1.0.0')]))).toEqual(['a', 'b', 'c']);
  });

  it('ignores dependencies on components outside the set, which are already deployed', () => {
    expect(componentsOf(sut([version('b', '1.0.0', { zz: '^1' }), version('a', '1.0.0', { b: '*' })]))).toEqual(['b', 'a']);
  });

  it('returns the caller’s objects', () => {
    const result = sut(checkoutGroup);
    expect(result.ok && result.order.every((node) => checkoutGroup.includes(node))).toBe(true);
  });

  it('orders an empty set', () => {
    expect(sut([])).toEqual({ ok: true, order: [] });
  });

  it.each([
    [[version('a', '1.0.0', { a: '*' })], ['dependency cycle: a@1.0.0 → a@1.0.0']],
    [[version('a', '1.0.0', { b: '*' }), version('b', '1.0.0', { a: '*' })], ['dependency cycle: a@1.0.0 → b@1.0.0 → a@1.0.0']],
    [
      [version('a', '1.0.0', { b: '*' }), version('b', '1.0.0', { c: '*' }), version('c', '1.0.0', { a: '*' }), version('d', '1.0.0')],
      ['dependency cycle: a@1.0.0 → b@1.0.0 → c@1.0.0 → a@1.0.0'],
    ],
  ])('reports cycles instead of an order: %#', (versions, messages) => {
    const result = sut(versions);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.cycles.map((cycle) => cycle.message)).toEqual(messages);
    expect(!result.ok && result.message).toBe(`no deploy order exists: ${messages.join('; ')}`);
  });

  it('reports every cycle at once', () => {
    const result = sut([version('a', '1.0.0', { b: '*' }), version('b', '1.0.0', { a: '*' }), version('x', '1.0.0', { x: '*' })]);
    expect(!result.ok && result.cycles).toHaveLength(2);
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('puts every dependency before its dependent in generated set #%p', (seed) => {
    const random = seededRandom(seed);
    const versions = randomAcyclicSet(random, 25);
    const order = componentsOf(sut(versions));
    expect([...order].sort()).toEqual(versions.map((node) => node.component).sort());
    for (const node of versions) {
      for (const dependency of node.dependencies) {
        expect(order.indexOf(dependency.component)).toBeLessThan(order.indexOf(node.component));
      }
    }
  });
});

describe(rollbackOrder.name, () => {
  const sut = rollbackOrder;

  it('rolls dependents back first, ties broken by component name', () => {
    expect(componentsOf(sut(checkoutGroup))).toEqual(['checkout-netpol', 'edge-lb', 'checkout-api', 'checkout-db', 'payments-contract']);
  });

  it('gives the same order whatever the input order', () => {
    const orders = new Set(permutations(checkoutGroup).map((group) => componentsOf(sut(group)).join(',')));
    expect(orders.size).toBe(1);
  });

  it('reports cycles', () => {
    const result = sut([version('a', '1.0.0', { b: '*' }), version('b', '1.0.0', { a: '*' })]);
    expect(!result.ok && result.message).toBe('no rollback order exists: dependency cycle: a@1.0.0 → b@1.0.0 → a@1.0.0');
  });

  it.each([11, 12, 13, 14, 15])('puts every dependent before its dependencies in generated set #%p', (seed) => {
    const versions = randomAcyclicSet(seededRandom(seed), 25);
    const order = componentsOf(sut(versions));
    for (const node of versions) {
      for (const dependency of node.dependencies) {
        expect(order.indexOf(node.component)).toBeLessThan(order.indexOf(dependency.component));
      }
    }
  });
});
