// The routing pick microbenchmark of bench:gateway, as the gateway picks per request.
import { RoutableRequest, RoutingPolicy, StackRouter, pickLessLoadedOfTwo } from '@strata/domain';

export interface Timing {
  best: number;
  median: number;
}

export interface PickResult {
  /** One Math.random() call: the pick takes three (alias column, two P2C candidates). */
  random: Timing;
  /** StackRouter.choose: rules (none), stickiness (none), then the alias-table pick. */
  weighted: Timing;
  /** Power of two choices among the 32 nodes of a stack config. */
  p2c: Timing;
  /** Both, as the gateway does per request: the figure the goal applies to. */
  both: Timing;
}

export const PICK_REPEATS = 9;

class BenchRequest implements RoutableRequest {
  readonly path = '/';
  header(): string | undefined {
    return undefined;
  }
  cookie(): string | undefined {
    return undefined;
  }
}

interface BenchNode {
  outstanding: number;
}

export const NODES = 64;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function microbenchPick(picks: number): PickResult {
  const perConfig = NODES / 2;
  const nodeList = (prefix: string): RoutingPolicy['stackConfigs'][number]['nodes'] =>
    Array.from({ length: perConfig }, (_, index) => ({ id: `${prefix}-${index}`, url: `http://10.0.${prefix === 'v1' ? 1 : 2}.${index}:8080` }));
  const config: RoutingPolicy = {
    component: 'bench',
    stableConfig: 'v1',
    stackConfigs: [
      { name: 'v1', weight: 90, nodes: nodeList('v1') },
      { name: 'v2', weight: 10, nodes: nodeList('v2') },
    ],
    rules: [],
    retryBudget: { ratio: 0.2, minRetriesPerSecond: 10 },
    outlierDetection: { consecutiveFailures: 5, baseEjectionMs: 1_000, maxEjectionMs: 30_000 },
  };
  const router = new StackRouter(config);
  const nodesByConfig: BenchNode[][] = config.stackConfigs.map((stackConfig) => stackConfig.nodes.map(() => ({ outstanding: Math.floor(Math.random() * 8) })));
  const outstandingOf = (node: BenchNode): number => node.outstanding;
  const request = new BenchRequest();

  // Each loop does what the gateway does per request, accumulating into a sink so nothing is
  // optimised away; nodes' load moves so the P2C comparison is not constant.
  const weighted = (count: number): number => {
    let sink = 0;
    for (let index = 0; index < count; index++) {
      sink += router.choose(request, Math.random());
    }
    return sink;
  };
  const p2c = (count: number): number => {
    let sink = 0;
    const nodes = nodesByConfig[0];
    for (let index = 0; index < count; index++) {
      const node = pickLessLoadedOfTwo(nodes, outstandingOf, Math.random) as BenchNode;
      node.outstanding = (node.outstanding + 1) & 7;
      sink += node.outstanding;
    }
    return sink;
  };
  const both = (count: number): number => {
    let sink = 0;
    for (let index = 0; index < count; index++) {
      const node = pickLessLoadedOfTwo(nodesByConfig[router.choose(request, Math.random())], outstandingOf, Math.random) as BenchNode;
      node.outstanding = (node.outstanding + 1) & 7;
      sink += node.outstanding;
    }
    return sink;
  };
  let sink = 0;
  // On a shared machine a timed loop is only ever slowed down (preempted, not sped up), so the
  // fastest of several repeats is the estimate of the pick's own cost; the median is shown too.
  const time = (loop: (count: number) => number): Timing => {
    sink += loop(Math.min(picks, 1_000_000)); // warm-up: let the JIT optimise the loop
    const samples: number[] = [];
    for (let repeat = 0; repeat < PICK_REPEATS; repeat++) {
      const started = process.hrtime.bigint();
      sink += loop(picks);
      samples.push(Number(process.hrtime.bigint() - started) / picks);
    }
    return { best: Math.min(...samples), median: median(samples) };
  };
  const random = (count: number): number => {
    let sum = 0;
    for (let index = 0; index < count; index++) {
      sum += Math.random();
    }
    return sum;
  };
  const result = { random: time(random), weighted: time(weighted), p2c: time(p2c), both: time(both) };
  if (sink === -1) {
    throw new Error('unreachable: read so that no loop is optimised away');
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Main
