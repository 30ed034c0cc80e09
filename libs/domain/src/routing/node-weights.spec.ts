import { seededUniform } from '../random/seeded-uniform';
import { NODE_WEIGHT_LIMITS, WeightedNodePicker, nodeWeightsViolations, weightsOfNodes } from './node-weights';
import { pickLessLoadedOfTwo } from './power-of-two-choices';

interface FakeNode {
  id: string;
  outstanding: number;
  weight: number;
}

const node = (id: string, weight: number, outstanding = 0): FakeNode => ({ id, weight, outstanding });
const load = (candidate: FakeNode): number => candidate.outstanding;
const weightOf = (candidate: FakeNode): number => candidate.weight;


/** Plays back the given uniforms, so the two draws are known. */
function randomOf(...values: number[]): () => number {
  let next = 0;
  return () => values[next++ % values.length];
}

function counts(sut: WeightedNodePicker<FakeNode>, picks: number, random: () => number): Record<string, number> {
  const seen: Record<string, number> = {};
  for (let i = 0; i < picks; i++) {
    const picked = sut.pick(load, random) as FakeNode;
    seen[picked.id] = (seen[picked.id] ?? 0) + 1;
  }
  return seen;
}

describe(nodeWeightsViolations.name, () => {
  it('accepts weights by node id, fractional and 0 included, when one is above 0', () => {
    expect(nodeWeightsViolations({ '10.0.0.5:8080': 80, '10.0.0.6:8080': 20, 'api-1#2': 0, spare: 0.5 }, 'spec.nodeWeights')).toEqual([]);
  });

  it.each([
    ['a list', [{ a: 1 }], 'a list'],
    ['a string', '80/20', "the string '80/20'"],
    ['a number', 80, 'number 80'],
    ['null', null, 'null'],
  ])('refuses %s in place of the map, naming the field and the expected shape', (_, value, described) => {
    expect(nodeWeightsViolations(value, 'spec.nodeWeights')).toEqual([{ field: 'spec.nodeWeights', message: expect.stringMatching(new RegExp(`must be an object of node id → weight.*got ${described}$`)) }]);
  });

  it('refuses an empty map and one naming too many nodes', () => {
    const many = Object.fromEntries(Array.from({ length: NODE_WEIGHT_LIMITS.entries + 1 }, (_, i) => [`n${i}`, 1]));
    expect(nodeWeightsViolations({}, 'nodeWeights')).toEqual([{ field: 'nodeWeights', message: 'must name 1 to 1000 nodes, got 0' }]);
    expect(nodeWeightsViolations(many, 'nodeWeights')).toEqual([{ field: 'nodeWeights', message: 'must name 1 to 1000 nodes, got 1001' }]);
  });

  it('names each bad weight by its node id: negative, above the limit, not a number', () => {
    const sut = nodeWeightsViolations({ '10.0.0.5:8080': -5, big: 1_000_001, text: '80', nan: Number.NaN, inf: Number.POSITIVE_INFINITY, empty: null, ok: 10 }, 'spec.nodeWeights');
    expect(sut).toEqual([
      { field: 'spec.nodeWeights["10.0.0.5:8080"]', message: 'must be from 0 to 1000000, got -5 (a weight cannot be negative)' },
      { field: 'spec.nodeWeights["big"]', message: 'must be from 0 to 1000000, got 1000001' },
      { field: 'spec.nodeWeights["text"]', message: "must be a number from 0 to 1000000, got the string '80'" },
      { field: 'spec.nodeWeights["nan"]', message: 'must be a number from 0 to 1000000, got number NaN' },
      { field: 'spec.nodeWeights["inf"]', message: 'must be a number from 0 to 1000000, got number Infinity' },
      { field: 'spec.nodeWeights["empty"]', message: 'must be a number from 0 to 1000000, got null' },
    ]);
  });

  it('refuses a blank or over-long node id', () => {
    const long = 'x'.repeat(NODE_WEIGHT_LIMITS.idLength + 1);
    expect(nodeWeightsViolations({ ' ': 1, [long]: 1, ok: 1 }, 'w').map((violation) => violation.message)).toEqual([
      'must be keyed by a non-blank node id of at most 255 characters',
      'must be keyed by a non-blank node id of at most 255 characters',
    ]);
  });

  it('refuses weights that are all 0, which would route nothing by weight', () => {
    expect(nodeWeightsViolations({ a: 0, b: 0 }, 'spec.nodeWeights')).toEqual([{ field: 'spec.nodeWeights', message: expect.stringContaining('at least one node must have a weight above 0') }]);
  });
});

describe(weightsOfNodes.name, () => {
  it('is undefined without weights, or when the map names none of the nodes (that config is not weighted)', () => {
    expect(weightsOfNodes(['a', 'b'], undefined)).toBeUndefined();
    expect(weightsOfNodes(['a', 'b'], { other: 5 })).toBeUndefined();
    expect(weightsOfNodes([], { a: 5 })).toBeUndefined();
  });

  it('gives each named node its weight, in the order of the nodes', () => {
    expect(weightsOfNodes(['b', 'a'], { a: 80, b: 20 })).toEqual([20, 80]);
  });

  it('gives a node the map does not name the mean weight of those it names in this config', () => {
    expect(weightsOfNodes(['a', 'b', 'new'], { a: 80, b: 20, elsewhere: 1_000 })).toEqual([80, 20, 50]);
    expect(weightsOfNodes(['a', 'new'], { a: 0, b: 10 })).toEqual([0, 0]);
  });

  it('does not take a weight from the prototype chain', () => {
    expect(weightsOfNodes(['toString', 'a'], { a: 10 })).toEqual([10, 10]);
  });
});

describe(WeightedNodePicker.name, () => {
  it('returns undefined without candidates and the only candidate when there is one', () => {
    expect(new WeightedNodePicker<FakeNode>([], weightOf).pick(load, Math.random)).toBeUndefined();
    const only = node('a', 5, 99);
    expect(new WeightedNodePicker([only], weightOf).pick(load, Math.random)).toBe(only);
  });

  it('splits idle traffic by weight: 80/20 within 1 % over 100,000 picks, the same on every run with the seeded source', () => {
    const nodes = [node('a', 80), node('b', 20)];
    const first = counts(new WeightedNodePicker(nodes, weightOf), 100_000, seededUniform(7));
    const second = counts(new WeightedNodePicker(nodes, weightOf), 100_000, seededUniform(7));
    expect(second).toEqual(first);
    expect(Math.abs((first['a'] ?? 0) / 100_000 - 0.8)).toBeLessThan(0.01);
    expect(Math.abs((first['b'] ?? 0) / 100_000 - 0.2)).toBeLessThan(0.01);
  });

  it('splits three nodes 60/30/10 and reports the shares it draws by', () => {
    const nodes = [node('a', 6), node('b', 3), node('c', 1)];
    const sut = new WeightedNodePicker(nodes, weightOf);
    const seen = counts(sut, 100_000, seededUniform(3));
    expect([seen['a'], seen['b'], seen['c']].map((count) => Math.round(((count ?? 0) / 100_000) * 100))).toEqual([60, 30, 10]);
    expect([...sut.shares().values()].map((share) => Math.round(share * 100))).toEqual([60, 30, 10]);
    expect(sut.byWeight).toBe(true);
  });

  it('never picks a node of weight 0 while a weighted candidate exists', () => {
    const nodes = [node('drained', 0), node('a', 1), node('b', 3)];
    const seen = counts(new WeightedNodePicker(nodes, weightOf), 20_000, seededUniform(7));
    expect(seen['drained']).toBeUndefined();
    expect((seen['a'] ?? 0) + (seen['b'] ?? 0)).toBe(20_000);
  });

  it('prefers, of its two draws, the one with fewer outstanding requests per unit of weight', () => {
    const heavy = node('heavy', 80, 8);
    const light = node('light', 20, 1);
    // The alias table of 80/20 draws heavy for u < 0.5 or u in [0.7, 1), light for u in [0.5, 0.7).
    // Heavy then light: 8/80 = 0.1 is more loaded than 1/20 = 0.05, so light wins.
    expect(new WeightedNodePicker([heavy, light], weightOf).pick(load, randomOf(0.1, 0.6))?.id).toBe('light');
    // With light at 3 outstanding, 3/20 = 0.15 > 0.1: heavy wins although it has more requests in flight.
    light.outstanding = 3;
    expect(new WeightedNodePicker([heavy, light], weightOf).pick(load, randomOf(0.1, 0.6))?.id).toBe('heavy');
  });

  it('keeps the first draw on a tie', () => {
    const nodes = [node('a', 50, 2), node('b', 50, 2)];
    expect(new WeightedNodePicker(nodes, weightOf).pick(load, randomOf(0.1, 0.9))?.id).toBe('a');
    expect(new WeightedNodePicker(nodes, weightOf).pick(load, randomOf(0.9, 0.1))?.id).toBe('b');
    expect(new WeightedNodePicker(nodes, weightOf).pick(load, randomOf(0.9, 0.9))?.id).toBe('b');
  });

  it('balances outstanding requests in proportion to the weights when every pick stays in flight', () => {
    const nodes = [node('a', 80), node('b', 20)];
    const sut = new WeightedNodePicker(nodes, weightOf);
    const random = seededUniform(11);
    for (let i = 0; i < 1_000; i++) (sut.pick(load, random) as FakeNode).outstanding++;
    expect(nodes.map((candidate) => candidate.outstanding / 1_000)).toEqual([expect.closeTo(0.8, 1), expect.closeTo(0.2, 1)]);
    expect(Math.abs((nodes[0]?.outstanding ?? 0) - 800)).toBeLessThanOrEqual(10);
  });

  it('falls back to plain power of two choices when no candidate has a weight above 0 (the weighted nodes are ejected)', () => {
    const nodes = [node('x', 0, 4), node('y', 0, 1), node('z', 0, 9)];
    const sut = new WeightedNodePicker(nodes, weightOf);
    expect(sut.byWeight).toBe(false);
    for (const draws of [[0, 0], [0.5, 0.2], [0.9, 0.99]]) {
      expect(sut.pick(load, randomOf(...draws))).toBe(pickLessLoadedOfTwo(nodes, load, randomOf(...draws)));
    }
    const even = [node('x', 0), node('y', 0), node('z', 0)];
    const seen = counts(new WeightedNodePicker(even, weightOf), 30_000, seededUniform(7));
    expect(Object.keys(seen).sort()).toEqual(['x', 'y', 'z']);
    for (const count of Object.values(seen)) expect(Math.abs(count / 30_000 - 1 / 3)).toBeLessThan(0.01);
  });
});
