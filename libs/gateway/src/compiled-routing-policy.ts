import { Pool } from 'undici';
import {
  LbMatch,
  NetworkPolicyEvaluator,
  OutlierEjection,
  RetryBudget,
  StackConfigKpis,
  StackRouter,
  WeightedNodePicker,
  pickLessLoadedOfTwo,
  stackConfigScore,
  weightsOfNodes,
} from '@strata/domain';
import { Random } from './clock';
import { RETRIED_FROM_HEADER, STACK_CONFIG_HEADER } from './gateway-headers';
import { TrafficStats } from './traffic-stats';
import { ValidRoutingPolicyUpdate } from './routing-policy-update';

/** A backend node as the request path sees it: its pool, its load, its health and its KPIs. */
export class UpstreamNode {
  outstanding = 0;
  /** Mirrored copies in flight: copies with weights of their own are balanced on these, not on production's requests. */
  mirrorOutstanding = 0;
  readonly stats = new TrafficStats();
  readonly mirrorStats = new TrafficStats();
  /** The last version the node reported; compared first so a steady node costs one string compare. */
  lastReportedVersion: string | undefined;
  readonly reportedMismatches = new Set<string>();
  /** Its share of its stack config's traffic by the policy's nodeWeights; undefined when its config is not weighted. */
  weight: number | undefined;

  constructor(
    readonly id: string,
    readonly url: string,
    readonly stackConfigIndex: number,
    readonly expectedVersion: string | undefined,
    readonly pool: Pool,
    readonly outlier: OutlierEjection,
  ) {}
}

const outstandingOf = (node: UpstreamNode): number => node.outstanding;
const mirrorOutstandingOf = (node: UpstreamNode): number => node.mirrorOutstanding;
const weightOf = (node: UpstreamNode): number => node.weight ?? 0;

/** KPIs of a stack config with older seconds fading by half each flush (a window of ~2 s). */
interface DecayingKpis extends StackConfigKpis {
  latencySumMs: number;
}

/**
 * One applied routing config, compiled for the request path: the router, the nodes of each stack
 * config and the subset that may take traffic now, the retry budget and the network policy.
 */
export class CompiledRoutingPolicy {
  readonly router: StackRouter;
  readonly nodesByConfig: readonly UpstreamNode[][];
  readonly retryBudget: RetryBudget;
  readonly networkPolicy: NetworkPolicyEvaluator | undefined;
  /** The requests accepted (the deployed lb-rule's matches); undefined: all. */
  readonly routes: readonly LbMatch[] | undefined;
  /** Every node of every stack config, in config order. */
  readonly nodes: readonly UpstreamNode[];
  /**
   * Per stack config, the headers the gateway adds to its answers (`[name, value, …]` as
   * `writeHead` takes them), built once here rather than per request; `retriedHeaders[i]` for an
   * answer of the stable config retrying a request that failed on config `i`.
   */
  readonly answerHeaders: readonly (readonly string[])[];
  readonly retriedHeaders: readonly (readonly string[])[];
  deniedRequests = 0;
  /** Per stack config, the nodes that may take traffic: the available ones, or all of them in panic. */
  private candidatesByConfig: readonly UpstreamNode[][];
  /** Per stack config whose nodes have weights, the weighted pick among its candidates (rebuilt with them); undefined: power of two choices. */
  private pickersByConfig: readonly (WeightedNodePicker<UpstreamNode> | undefined)[];
  private readonly weightedConfigs: readonly boolean[];
  /** The mirror's own weights per node of the mirror config (proposed weights tried on copies); undefined: copies are picked as its traffic is. */
  private readonly mirrorWeights: ReadonlyMap<UpstreamNode, number> | undefined;
  private mirrorPicker: WeightedNodePicker<UpstreamNode> | undefined;
  private readonly windows: DecayingKpis[];

  constructor(
    readonly update: ValidRoutingPolicyUpdate,
    poolFor: (url: string) => Pool,
    now: number,
    private readonly random: Random,
  ) {
    const { config } = update;
    this.router = new StackRouter(config);
    this.nodesByConfig = config.stackConfigs.map((stackConfig, index) =>
      stackConfig.nodes.map((node) => new UpstreamNode(node.id, node.url, index, node.version, poolFor(node.url), new OutlierEjection(config.outlierDetection))),
    );
    this.nodes = this.nodesByConfig.flat();
    this.weightedConfigs = this.nodesByConfig.map((nodes) => {
      const weights = weightsOfNodes(nodes.map((node) => node.id), config.nodeWeights);
      nodes.forEach((node, index) => (node.weight = weights?.[index]));
      return weights !== undefined;
    });
    this.mirrorWeights = this.mirrorWeightsOf(config.mirror?.nodeWeights);
    this.candidatesByConfig = this.nodesByConfig;
    this.pickersByConfig = this.pickersFor(this.candidatesByConfig);
    this.mirrorPicker = this.mirrorPickerFor(this.candidatesByConfig);
    const stable = this.router.names[this.router.stableIndex];
    this.answerHeaders = this.router.names.map((name) => [STACK_CONFIG_HEADER, name]);
    this.retriedHeaders = this.router.names.map((name) => [STACK_CONFIG_HEADER, stable, RETRIED_FROM_HEADER, name]);
    this.retryBudget = new RetryBudget(config.retryBudget, now);
    this.networkPolicy = config.networkPolicy ? new NetworkPolicyEvaluator(config.networkPolicy, config.component) : undefined;
    this.routes = config.routes;
    this.windows = this.nodesByConfig.map(() => ({ requests: 0, errors: 0, meanLatencyMs: 0, latencySumMs: 0 }));
  }

  get version(): number {
    return this.update.version;
  }

  /**
   * Power of two choices on outstanding requests among the nodes that may take traffic; in a stack
   * config the policy's nodeWeights name, the two are drawn by weight and compared per unit of
   * weight (WeightedNodePicker: a node of weight 0 takes no weighted traffic).
   */
  pickNode(stackConfigIndex: number): UpstreamNode | undefined {
    const picker = this.pickersByConfig[stackConfigIndex];
    return picker ? picker.pick(outstandingOf, this.random) : pickLessLoadedOfTwo(this.candidatesByConfig[stackConfigIndex], outstandingOf, this.random);
  }

  /**
   * The node a copy goes to: by the mirror's own weights when it has them, else as the mirror
   * config's traffic is picked. Weighted copies are balanced on the copies in flight: production's
   * requests, spread by other weights, would skew them toward the heavier nodes.
   */
  pickMirrorNode(): UpstreamNode | undefined {
    return this.mirrorPicker ? this.mirrorPicker.pick(mirrorOutstandingOf, this.random) : this.pickNode(this.router.mirrorIndex);
  }

  /** A uniform draw from the routing's random source, for the weighted pick and mirror sampling. */
  draw(): number {
    return this.random();
  }

  /**
   * Recomputes which nodes may take traffic (after an ejection, a recovery, or time passing). In
   * panic (no stack config has an available node) ejection is ignored: every node may.
   */
  refreshAvailability(now: number): void {
    const availableByConfig = this.nodesByConfig.map((nodes) => nodes.filter((node) => node.outlier.isAvailable(now)));
    availableByConfig.forEach((nodes, index) => this.router.setAvailable(index, nodes.length > 0));
    this.candidatesByConfig = this.router.mode === 'panic' ? this.nodesByConfig : availableByConfig;
    this.pickersByConfig = this.pickersFor(this.candidatesByConfig);
    this.mirrorPicker = this.mirrorPickerFor(this.candidatesByConfig);
  }

  private mirrorWeightsOf(nodeWeights: Readonly<Record<string, number>> | undefined): ReadonlyMap<UpstreamNode, number> | undefined {
    const nodes = this.nodesByConfig[this.router.mirrorIndex];
    const weights = nodes === undefined ? undefined : weightsOfNodes(nodes.map((node) => node.id), nodeWeights);
    return weights === undefined ? undefined : new Map(nodes.map((node, index) => [node, weights[index]]));
  }

  /** The weighted pick of copies over the mirror config's candidates, when the mirror has weights of its own. */
  private mirrorPickerFor(candidatesByConfig: readonly UpstreamNode[][]): WeightedNodePicker<UpstreamNode> | undefined {
    const weights = this.mirrorWeights;
    return weights === undefined ? undefined : new WeightedNodePicker(candidatesByConfig[this.router.mirrorIndex] ?? [], (node) => weights.get(node) ?? 0);
  }

  /** The weighted pick of each weighted stack config over these candidates. */
  private pickersFor(candidatesByConfig: readonly UpstreamNode[][]): (WeightedNodePicker<UpstreamNode> | undefined)[] {
    return candidatesByConfig.map((candidates, index) => (this.weightedConfigs[index] ? new WeightedNodePicker(candidates, weightOf) : undefined));
  }

  /** Folds the last interval's stats into each config's window and rescales weights by score. */
  updateScores(): void {
    this.nodesByConfig.forEach((nodes, index) => {
      const window = this.windows[index];
      window.requests /= 2;
      window.errors /= 2;
      window.latencySumMs /= 2;
      for (const node of nodes) {
        window.requests += node.stats.requests;
        window.errors += node.stats.serverErrors + node.stats.connectErrors;
        window.latencySumMs += node.stats.latencySumMs;
      }
      window.meanLatencyMs = window.requests > 0 ? window.latencySumMs / window.requests : 0;
    });
    const baseline = this.windows[this.router.stableIndex];
    this.windows.forEach((window, index) => {
      if (index !== this.router.stableIndex) {
        this.router.setScore(index, stackConfigScore(window, baseline));
      }
    });
  }
}
