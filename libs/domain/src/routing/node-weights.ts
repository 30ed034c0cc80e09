import { DomainViolation } from '../errors/domain-error';
import { describeValue, isNonBlankString, isPlainObject } from '../components/validation';
import { AliasTable } from './alias-table';
import { pickLessLoadedOfTwo } from './power-of-two-choices';

/**
 * Per-node weights within a stack config: how an lb-rule version shares a config's traffic over its
 * nodes, by node id (the routing policy's ids: a discovered node's id is its address, e.g.
 * `10.0.0.5:8080`; a pinned node's, the one the operator wrote). Ids are unique across a policy, so
 * one map serves every stack config; a config none of whose nodes is named is not weighted.
 */
export type NodeWeights = Readonly<Record<string, number>>;

export const NODE_WEIGHT_LIMITS = { entries: 1_000, idLength: 255, weight: 1_000_000 } as const;

/**
 * Every violation of a node-weights map, each naming `field["<node id>"]`: an object of node id →
 * a number from 0 to 1,000,000, at least one of them above 0 (all at 0 would route nothing by
 * weight: draining every node is not a weight change).
 */
export function nodeWeightsViolations(value: unknown, field: string): DomainViolation[] {
  if (!isPlainObject(value)) {
    return [{ field, message: `must be an object of node id → weight, e.g. {"10.0.0.5:8080": 80, "10.0.0.6:8080": 20}, got ${describeValue(value)}` }];
  }
  const entries = Object.entries(value);
  if (entries.length === 0 || entries.length > NODE_WEIGHT_LIMITS.entries) {
    return [{ field, message: `must name 1 to ${NODE_WEIGHT_LIMITS.entries} nodes, got ${entries.length}` }];
  }
  const violations: DomainViolation[] = [];
  for (const [id, weight] of entries) {
    const entry = `${field}[${JSON.stringify(id)}]`;
    if (!isNonBlankString(id) || id.length > NODE_WEIGHT_LIMITS.idLength) {
      violations.push({ field: entry, message: `must be keyed by a non-blank node id of at most ${NODE_WEIGHT_LIMITS.idLength} characters` });
    } else if (typeof weight !== 'number' || !Number.isFinite(weight)) {
      violations.push({ field: entry, message: `must be a number from 0 to ${NODE_WEIGHT_LIMITS.weight}, got ${describeValue(weight)}` });
    } else if (weight < 0 || weight > NODE_WEIGHT_LIMITS.weight) {
      violations.push({ field: entry, message: `must be from 0 to ${NODE_WEIGHT_LIMITS.weight}, got ${weight}${weight < 0 ? ' (a weight cannot be negative)' : ''}` });
    }
  }
  if (violations.length === 0 && !entries.some(([, weight]) => (weight as number) > 0)) {
    violations.push({ field, message: 'at least one node must have a weight above 0: with all at 0 no request would be routed by weight' });
  }
  return violations;
}

/**
 * The weight of each of a stack config's nodes (in the order given), or undefined when the map
 * names none of them: that config is spread as without weights. A node the map does not name (one
 * that joined after the weights were written) gets the mean weight of the nodes it names, so a new
 * node takes an average share rather than all or nothing.
 */
export function weightsOfNodes(nodeIds: readonly string[], weights: NodeWeights | undefined): number[] | undefined {
  if (weights === undefined) {
    return undefined;
  }
  const named = nodeIds.filter((id) => Object.prototype.hasOwnProperty.call(weights, id));
  if (named.length === 0) {
    return undefined;
  }
  const mean = named.reduce((sum, id) => sum + weights[id], 0) / named.length;
  return nodeIds.map((id) => (Object.prototype.hasOwnProperty.call(weights, id) ? weights[id] : mean));
}

/**
 * Weighted power of two choices among the nodes that may take traffic: two draws by weight (Vose's
 * alias table, O(1) each), and the one with fewer outstanding requests per unit of weight wins; a
 * tie (e.g. both idle) goes to the first draw, so idle nodes get traffic exactly in proportion to
 * their weights, and busy ones are balanced to the same proportion. A node of weight 0 is never
 * drawn. When no candidate has a weight above 0 (the weighted nodes are all ejected or unhealthy),
 * the pick falls back to plain power of two choices over the candidates: an answer from a node
 * drained by weight beats a 503, as the stack router's fallback mode does one level up.
 * Built when the candidates change (an ejection, a recovery), not per request.
 */
export class WeightedNodePicker<TNode> {
  private readonly weighted: readonly TNode[];
  private readonly weights: readonly number[];
  private readonly table: AliasTable | undefined;

  constructor(
    private readonly candidates: readonly TNode[],
    weightOf: (node: TNode) => number,
  ) {
    const positive = candidates.filter((node) => weightOf(node) > 0);
    this.weighted = positive;
    this.weights = positive.map(weightOf);
    this.table = positive.length > 0 ? new AliasTable(this.weights) : undefined;
  }

  /** Whether the pick is by weight (some candidate has a weight above 0) or has fallen back to equal shares. */
  get byWeight(): boolean {
    return this.table !== undefined;
  }

  /** The share of weighted picks each weighted candidate would get with all of them idle (for reports and tests). */
  shares(): Map<TNode, number> {
    const shares = new Map<TNode, number>();
    this.table?.probabilities().forEach((share, index) => shares.set(this.weighted[index], share));
    return shares;
  }

  pick(load: (node: TNode) => number, random: () => number): TNode | undefined {
    if (this.table === undefined) {
      return pickLessLoadedOfTwo(this.candidates, load, random);
    }
    const first = this.table.pick(random());
    const second = this.table.pick(random());
    // Compared as a / wa < b / wb without dividing: weights are positive here.
    return load(this.weighted[second]) * this.weights[first] < load(this.weighted[first]) * this.weights[second] ? this.weighted[second] : this.weighted[first];
  }
}
