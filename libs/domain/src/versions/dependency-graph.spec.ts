import { compareByComponentAndVersion, DependencyGraph, DependentVersion, describeDependencyPath } from './dependency-graph';

function version(component: string, semver: string, dependsOn: Record<string, string> = {}): DependentVersion {
  return { component, version: semver, dependencies: Object.entries(dependsOn).map(([name, range]) => ({ component: name, range })) };
}

function names(versions: readonly DependentVersion[]): string[] {
  return versions.map((node) => `${node.component}@${node.version}`);
}

describe(compareByComponentAndVersion.name, () => {
  const sut = compareByComponentAndVersion;

  it('sorts by component, then by version precedence rather than text', () => {
    const sorted = [version('b', '1.0.0'), version('a', '10.0.0'), version('a', '9.0.0'), version('a', '9.0.0-rc.1')].sort(sut);
    expect(names(sorted)).toEqual(['a@9.0.0-rc.1', 'a@9.0.0', 'a@10.0.0', 'b@1.0.0']);
  });

  it('orders versions of equal precedence, and invalid ones, by text so the order is total', () => {
    expect(sut(version('a', '1.0.0+b'), version('a', '1.0.0+a'))).toBeGreaterThan(0);
    expect(sut(version('a', 'x'), version('a', 'y'))).toBeLessThan(0);
    expect(sut(version('a', '1.0.0'), version('a', '1.0.0'))).toBe(0);
  });
});

describe(DependencyGraph.name, () => {
  describe('cycles', () => {
    it('finds none in a chain', () => {
      const sut = new DependencyGraph([version('a', '1.0.0', { b: '*' }), version('b', '1.0.0', { c: '*' }), version('c', '1.0.0')]);
      expect(sut.cycles()).toEqual([]);
    });

    it('finds a cycle of length 1: a version depending on its own component', () => {
      const sut = new DependencyGraph([version('a', '1.0.0', { a: '^1.0.0' })]);
      expect(sut.cycles().map((cycle) => cycle.message)).toEqual(['dependency cycle: a@1.0.0 → a@1.0.0']);
    });

    it('finds a cycle of length 2', () => {
      const sut = new DependencyGraph([version('b', '1.0.0', { a: '*' }), version('a', '1.0.0', { b: '*' })]);
      const [cycle] = sut.cycles();
      expect(names(cycle.path)).toEqual(['a@1.0.0', 'b@1.0.0', 'a@1.0.0']);
      expect(names(cycle.tangle)).toEqual(['a@1.0.0', 'b@1.0.0']);
    });

    it('finds a cycle of length 3 and leaves the versions outside it out', () => {
      const sut = new DependencyGraph([
        version('c', '1.0.0', { a: '*' }),
        version('a', '1.0.0', { b: '*' }),
        version('b', '1.0.0', { c: '*', d: '*' }),
        version('d', '1.0.0'),
        version('e', '1.0.0', { a: '*' }),
      ]);
      const cycles = sut.cycles();
      expect(cycles).toHaveLength(1);
      expect(cycles[0].message).toBe('dependency cycle: a@1.0.0 → b@1.0.0 → c@1.0.0 → a@1.0.0');
      expect(names(cycles[0].tangle)).toEqual(['a@1.0.0', 'b@1.0.0', 'c@1.0.0']);
    });

    it('reports one cycle per tangle, the shortest through its first version', () => {
      const sut = new DependencyGraph([
        version('a', '1.0.0', { b: '*' }),
        version('b', '1.0.0', { c: '*', a: '*' }),
        version('c', '1.0.0', { a: '*' }),
        version('x', '1.0.0', { y: '*' }),
        version('y', '1.0.0', { x: '*' }),
      ]);
      expect(sut.cycles().map((cycle) => describeDependencyPath(cycle.path))).toEqual(['a@1.0.0 → b@1.0.0 → a@1.0.0', 'x@1.0.0 → y@1.0.0 → x@1.0.0']);
    });

    it('ignores dependencies on components outside the set', () => {
      expect(new DependencyGraph([version('a', '1.0.0', { zz: '*' })]).cycles()).toEqual([]);
    });

    it('links a dependency to every version of the component in the set', () => {
      const sut = new DependencyGraph([version('a', '1.0.0', { b: '*' }), version('b', '1.0.0'), version('b', '2.0.0', { a: '*' })]);
      expect(sut.cycles().map((cycle) => cycle.message)).toEqual(['dependency cycle: a@1.0.0 → b@2.0.0 → a@1.0.0']);
    });

    it('handles a chain deep enough to overflow a recursive search', () => {
      const depth = 20_000;
      const chain = Array.from({ length: depth }, (_, index) => version(`c${index}`, '1.0.0', index + 1 < depth ? { [`c${index + 1}`]: '*' } : { c0: '*' }));
      const [cycle] = new DependencyGraph(chain).cycles();
      expect(cycle.path).toHaveLength(depth + 1);
    });
  });

  describe('topologicalOrder', () => {
    it('puts providers first or dependents first', () => {
      const sut = new DependencyGraph([version('api', '1.0.0', { db: '*' }), version('db', '1.0.0'), version('lb', '1.0.0', { api: '*' })]);
      expect(names(sut.topologicalOrder('providers-first').order)).toEqual(['db@1.0.0', 'api@1.0.0', 'lb@1.0.0']);
      expect(names(sut.topologicalOrder('dependents-first').order)).toEqual(['lb@1.0.0', 'api@1.0.0', 'db@1.0.0']);
    });

    it('returns what a cycle blocks, including what waits behind it', () => {
      const sut = new DependencyGraph([version('a', '1.0.0', { b: '*' }), version('b', '1.0.0', { a: '*' }), version('c', '1.0.0', { a: '*' }), version('d', '1.0.0')]);
      const { order, blocked } = sut.topologicalOrder('providers-first');
      expect(names(order)).toEqual(['d@1.0.0']);
      expect(names(blocked)).toEqual(['a@1.0.0', 'b@1.0.0', 'c@1.0.0']);
    });
  });
});
