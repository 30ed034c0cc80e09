import { AliasTable } from './alias-table';
import { MatchCondition, RoutingPolicy } from './routing-policy';
import { saltedUniform, stableHash } from './stable-hash';

/** How the router reads a request; the gateway implements it over node:http without copying. */
export interface RoutableRequest {
  readonly path: string;
  header(name: string): string | undefined;
  cookie(name: string): string | undefined;
}

export const NO_STACK_CONFIG = -1;

/** How the weighted pick is made now; see StackRouter. */
export type RoutingMode = 'normal' | 'fallback' | 'panic';

/**
 * Chooses the stack config of a request, as DESIGN §4 orders it: match rules, then stickiness,
 * then an O(1) weighted pick. Stack configs are referred to by index into `names` so the hot path
 * allocates nothing. Tables are rebuilt only when availability or scores change.
 *
 * A request never goes to a stack config without an available (healthy, not ejected) node while
 * another config has one; like Envoy's panic threshold, one level up, the mode says how:
 * - normal: some config with a weight has an available node; the pick is among those, by weight
 *   times score.
 * - fallback: none of them has, but a config of weight 0 does (e.g. the old stable, kept for
 *   retries to drain after a promotion). The pick goes to the stable config if it is one of them,
 *   else is spread over them by configured weight (all 0 here, so in equal shares): an old
 *   version answering beats a 503.
 * - panic: no config has an available node. Availability is ignored, as Envoy ignores health
 *   below its panic threshold: the pick is among the configs with a weight, by configured weight,
 *   and the gateway sends to all their nodes, ejected ones included. Nothing is chosen only when
 *   no config has a node at all.
 * Rules pin only to a config routable in the mode (with an available node; any config in panic),
 * and sticky keys spread over the configs the weighted pick uses, by their weights before scores,
 * so the same holds for them.
 */
export class StackRouter {
  readonly names: readonly string[];
  readonly stableIndex: number;
  readonly mirrorIndex: number;
  private readonly mirrorRate: number;
  private readonly configuredWeights: readonly number[];
  private readonly hasNodes: readonly boolean[];
  private readonly scores: number[];
  private readonly available: boolean[];
  /** Per stack config: whether rules may pin to it in the current mode. */
  private readonly routable: boolean[];
  private readonly rules: readonly { match: MatchCondition; target: number }[];
  private readonly stickiness: RoutingPolicy['stickiness'];
  private currentMode: RoutingMode = 'normal';
  private weightedTable: AliasTable | undefined;
  private weightedIndexes: number[] = [];
  /** Per stack config: its salt for sticky draws, and its weight in the weighted pick before scores (0: no sticky traffic). */
  private readonly stickySalts: readonly number[];
  private readonly stickyWeights: number[];

  constructor(config: RoutingPolicy) {
    this.names = config.stackConfigs.map((stackConfig) => stackConfig.name);
    this.configuredWeights = config.stackConfigs.map((stackConfig) => stackConfig.weight);
    this.hasNodes = config.stackConfigs.map((stackConfig) => stackConfig.nodes.length > 0);
    this.scores = this.names.map(() => 1);
    this.stickySalts = this.names.map((name) => stableHash(name));
    this.stickyWeights = this.names.map(() => 0);
    this.available = this.hasNodes.slice();
    this.routable = this.hasNodes.slice();
    this.stableIndex = this.names.indexOf(config.stableConfig);
    this.mirrorIndex = config.mirror ? this.names.indexOf(config.mirror.stackConfig) : NO_STACK_CONFIG;
    this.mirrorRate = config.mirror?.sampleRate ?? 0;
    // Header names are compared lowercase, as node:http delivers them.
    this.rules = config.rules.map((rule) => ({
      match: 'header' in rule.match ? { header: rule.match.header.toLowerCase(), value: rule.match.value } : rule.match,
      target: this.names.indexOf(rule.stackConfig),
    }));
    this.stickiness = config.stickiness && 'header' in config.stickiness ? { header: config.stickiness.header.toLowerCase() } : config.stickiness;
    this.rebuild();
  }

  /** Index of the chosen stack config, or NO_STACK_CONFIG when none can take the request. */
  choose(request: RoutableRequest, uniform: number): number {
    for (const rule of this.rules) {
      // A pinned config with no available node falls through: users get the normal split, not a 503.
      if (this.routable[rule.target] && matches(rule.match, request)) {
        return rule.target;
      }
    }
    if (this.stickiness) {
      const key = 'header' in this.stickiness ? request.header(this.stickiness.header) : request.cookie(this.stickiness.cookie);
      if (key !== undefined && key !== '') {
        const sticky = this.stickyChoice(key);
        if (sticky !== NO_STACK_CONFIG) {
          return sticky;
        }
      }
    }
    return this.weightedTable ? this.weightedIndexes[this.weightedTable.pick(uniform)] : NO_STACK_CONFIG;
  }

  /** normal, fallback or panic: see the class comment. */
  get mode(): RoutingMode {
    return this.currentMode;
  }

  /** Whether this request is copied to the staging config; `uniform` in [0, 1). */
  shouldMirror(uniform: number): boolean {
    return this.mirrorIndex !== NO_STACK_CONFIG && uniform < this.mirrorRate && this.available[this.mirrorIndex];
  }

  /** Live score in [0, 1]; returns whether the tables were rebuilt (small changes are ignored). */
  setScore(index: number, score: number): boolean {
    if (Math.abs(this.scores[index] - score) < 0.01) {
      return false;
    }
    this.scores[index] = score;
    this.rebuild();
    return true;
  }

  /** Whether the stack config has a node that may take traffic (healthy, not ejected). */
  setAvailable(index: number, available: boolean): void {
    const value = available && this.hasNodes[index];
    if (this.available[index] !== value) {
      this.available[index] = value;
      this.rebuild();
    }
  }

  isAvailable(index: number): boolean {
    return this.available[index];
  }

  /** The share each stack config gets from the weighted pick now (for reports and tests). */
  weightedShares(): number[] {
    const shares = this.names.map(() => 0);
    this.weightedTable?.probabilities().forEach((share, column) => (shares[this.weightedIndexes[column]] += share));
    return shares;
  }

  /**
   * Weighted rendezvous hashing: each stack config draws an exponential variate from the key
   * (-ln(u) / weight) and the smallest wins, which picks a config with probability weight / total.
   * Unlike a table lookup, changing one config's weight only moves sessions to or from that config:
   * as a canary's weight grows, sessions join it and none of those already on it leave, with any
   * number of configs. Scores are ignored so a session does not move every time a KPI window moves.
   */
  private stickyChoice(key: string): number {
    const keyHash = stableHash(key);
    let chosen = NO_STACK_CONFIG;
    let smallest = Number.POSITIVE_INFINITY;
    for (let index = 0; index < this.stickyWeights.length; index++) {
      const weight = this.stickyWeights[index];
      if (weight > 0) {
        const draw = -Math.log(saltedUniform(keyHash, this.stickySalts[index])) / weight;
        if (draw < smallest) {
          smallest = draw;
          chosen = index;
        }
      }
    }
    return chosen;
  }

  /** Decides the mode, then the configs of the weighted pick and the sticky weights. */
  private rebuild(): void {
    const all = this.names.map((_, index) => index);
    let indexes = all.filter((index) => this.available[index] && this.configuredWeights[index] * this.scores[index] > 0);
    let weights = indexes.map((index) => this.configuredWeights[index]);
    let tableWeights = indexes.map((index) => this.configuredWeights[index] * this.scores[index]);
    this.currentMode = 'normal';
    if (indexes.length === 0) {
      // Scores rank configs that can all serve; with nothing left to rank they are moot.
      const withAvailableNode = all.filter((index) => this.available[index]);
      if (withAvailableNode.length > 0) {
        this.currentMode = 'fallback';
        indexes = this.stableIndex !== NO_STACK_CONFIG && this.available[this.stableIndex] ? [this.stableIndex] : withAvailableNode;
      } else {
        this.currentMode = 'panic';
        const weighted = all.filter((index) => this.hasNodes[index] && this.configuredWeights[index] > 0);
        indexes = weighted.length > 0 ? weighted : all.filter((index) => this.hasNodes[index]);
      }
      weights = configuredOrEqualWeights(indexes.map((index) => this.configuredWeights[index]));
      tableWeights = weights;
    }
    const panic = this.currentMode === 'panic';
    all.forEach((index) => {
      this.routable[index] = panic ? this.hasNodes[index] : this.available[index];
      this.stickyWeights[index] = 0;
    });
    indexes.forEach((index, position) => (this.stickyWeights[index] = weights[position]));
    this.weightedIndexes = indexes.filter((_, position) => tableWeights[position] > 0);
    this.weightedTable = this.weightedIndexes.length === 0 ? undefined : new AliasTable(tableWeights.filter((weight) => weight > 0));
  }
}

/** The configured weights, or equal shares when none is positive (configs of weight 0 in fallback). */
function configuredOrEqualWeights(weights: number[]): number[] {
  return weights.some((weight) => weight > 0) ? weights : weights.map(() => 1);
}

/** Whether a request meets a match rule's condition; header names as node:http gives them, lower-case. */
export function matches(match: MatchCondition, request: RoutableRequest): boolean {
  if ('pathPrefix' in match) {
    return request.path.startsWith(match.pathPrefix);
  }
  if ('header' in match) {
    return request.header(match.header) === match.value;
  }
  return request.cookie(match.cookie) === match.value;
}

/** Reads one cookie from a Cookie header without building a map of all of them. */
export function cookieValue(cookieHeader: string | undefined, name: string): string | undefined {
  if (!cookieHeader) {
    return undefined;
  }
  let start = 0;
  while (start < cookieHeader.length) {
    let end = cookieHeader.indexOf(';', start);
    if (end === -1) {
      end = cookieHeader.length;
    }
    const equals = cookieHeader.indexOf('=', start);
    if (equals !== -1 && equals < end && cookieHeader.slice(start, equals).trim() === name) {
      return cookieHeader.slice(equals + 1, end).trim();
    }
    start = end + 1;
  }
  return undefined;
}
