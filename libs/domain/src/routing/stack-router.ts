import { AliasTable } from './alias-table';
import { MatchCondition, RoutingConfig } from './routing-config';
import { saltedUniform, stableHash } from './stable-hash';

/** How the router reads a request; the gateway implements it over node:http without copying. */
export interface RoutableRequest {
  readonly path: string;
  header(name: string): string | undefined;
  cookie(name: string): string | undefined;
}

export const NO_STACK_CONFIG = -1;

/**
 * Chooses the stack config of a request, as DESIGN §4 orders it: match rules, then stickiness,
 * then an O(1) weighted pick. Stack configs are referred to by index into `names` so the hot path
 * allocates nothing. Tables are rebuilt only when availability or scores change.
 */
export class StackRouter {
  readonly names: readonly string[];
  readonly stableIndex: number;
  readonly mirrorIndex: number;
  private readonly mirrorRate: number;
  private readonly configuredWeights: readonly number[];
  private readonly scores: number[];
  private readonly available: boolean[];
  private readonly rules: readonly { match: MatchCondition; target: number }[];
  private readonly stickiness: RoutingConfig['stickiness'];
  private weightedTable: AliasTable | undefined;
  private weightedIndexes: number[] = [];
  /** Per stack config: its salt for sticky draws, and its configured weight if it may take sticky traffic (else 0). */
  private readonly stickySalts: readonly number[];
  private readonly stickyWeights: number[];

  constructor(config: RoutingConfig) {
    this.names = config.stackConfigs.map((stackConfig) => stackConfig.name);
    this.configuredWeights = config.stackConfigs.map((stackConfig) => stackConfig.weight);
    this.scores = this.names.map(() => 1);
    this.stickySalts = this.names.map((name) => stableHash(name));
    this.stickyWeights = this.names.map(() => 0);
    this.available = this.names.map(() => true);
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
      // A pinned config with no healthy node falls through: users get the normal split, not a 503.
      if (this.available[rule.target] && matches(rule.match, request)) {
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

  setAvailable(index: number, available: boolean): void {
    if (this.available[index] !== available) {
      this.available[index] = available;
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

  private rebuild(): void {
    const indexes = this.names.map((_, index) => index).filter((index) => this.available[index] && this.configuredWeights[index] * this.scores[index] > 0);
    this.weightedIndexes = indexes;
    this.weightedTable = indexes.length === 0 ? undefined : new AliasTable(indexes.map((index) => this.configuredWeights[index] * this.scores[index]));
    this.names.forEach((_, index) => (this.stickyWeights[index] = this.available[index] ? this.configuredWeights[index] : 0));
  }
}

function matches(match: MatchCondition, request: RoutableRequest): boolean {
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
