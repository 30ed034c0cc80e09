import { SemVer } from 'semver';
import { DependencyDeclaration, versionKey } from '../components/component-version';

/** What graph algorithms need of a component version; a full ComponentVersion qualifies. */
export interface DependentVersion {
  component: string;
  version: string;
  dependencies: readonly DependencyDeclaration[];
}

/** A cycle as a path that returns to where it started: a → b → a (a depends on b, b on a). */
export interface DependencyCycle<T extends DependentVersion = DependentVersion> {
  path: T[];
  /** Every version tangled with the path (its strongly connected component), in sort order. */
  tangle: T[];
  message: string;
}

/**
 * Orders versions by component name, then by version precedence, then by text, so every
 * algorithm here visits nodes in the same order and gives the same answer for the same input.
 */
export function compareByComponentAndVersion(left: DependentVersion, right: DependentVersion): number {
  if (left.component !== right.component) {
    return left.component < right.component ? -1 : 1;
  }
  const precedence = comparePrecedence(left.version, right.version);
  if (precedence !== 0) {
    return precedence;
  }
  return left.version < right.version ? -1 : left.version > right.version ? 1 : 0;
}

function comparePrecedence(left: string, right: string): number {
  try {
    return new SemVer(left).compare(new SemVer(right));
  } catch {
    return 0;
  }
}

/**
 * Edges point from a version to every version in the set of each component it depends on
 * (the providers). Dependencies on components outside the set have no edge.
 */
export class DependencyGraph<T extends DependentVersion> {
  readonly nodes: readonly T[];
  private readonly providersByIndex: number[][];
  private readonly dependentsByIndex: number[][];

  constructor(versions: readonly T[]) {
    this.nodes = [...versions].sort(compareByComponentAndVersion);
    const indexesByComponent = new Map<string, number[]>();
    this.nodes.forEach((node, index) => indexesByComponent.set(node.component, [...(indexesByComponent.get(node.component) ?? []), index]));
    this.providersByIndex = this.nodes.map((node) => {
      const providers = node.dependencies.flatMap((dependency) => indexesByComponent.get(dependency.component) ?? []);
      return [...new Set(providers)].sort((left, right) => left - right);
    });
    this.dependentsByIndex = this.nodes.map(() => []);
    this.providersByIndex.forEach((providers, dependent) => providers.forEach((provider) => this.dependentsByIndex[provider].push(dependent)));
  }

  /**
   * One cycle per strongly connected component (Tarjan), each starting at its first node in
   * sort order. Reporting every elementary cycle could be exponential; one per tangle names it.
   */
  cycles(): DependencyCycle<T>[] {
    return this.stronglyConnectedComponents()
      .filter((members) => members.length > 1 || this.providersByIndex[members[0]].includes(members[0]))
      .map((members) => this.cycleThrough(members))
      .sort((left, right) => compareByComponentAndVersion(left.path[0], right.path[0]));
  }

  /**
   * Kahn's algorithm, always taking the smallest ready node in sort order, so ties are broken by
   * component name. `providersFirst` gives the deploy order; otherwise dependents come first.
   * Nodes on or behind a cycle never become ready and are returned as `blocked`.
   */
  topologicalOrder(direction: 'providers-first' | 'dependents-first'): { order: T[]; blocked: T[] } {
    const before = direction === 'providers-first' ? this.providersByIndex : this.dependentsByIndex;
    const after = direction === 'providers-first' ? this.dependentsByIndex : this.providersByIndex;
    const waitingFor = before.map((edges) => edges.length);
    const ready = waitingFor.flatMap((count, index) => (count === 0 ? [index] : []));
    const order: number[] = [];
    while (ready.length > 0) {
      ready.sort((left, right) => left - right);
      const next = ready.shift() as number;
      order.push(next);
      for (const follower of after[next]) {
        waitingFor[follower] -= 1;
        if (waitingFor[follower] === 0) {
          ready.push(follower);
        }
      }
    }
    const placed = new Set(order);
    return { order: order.map((index) => this.nodes[index]), blocked: this.nodes.filter((_, index) => !placed.has(index)) };
  }

  private stronglyConnectedComponents(): number[][] {
    const indexOf = new Map<number, number>();
    const lowLink = new Map<number, number>();
    const stack: number[] = [];
    const onStack = new Set<number>();
    const components: number[][] = [];
    let counter = 0;

    // Iterative Tarjan: a deep dependency chain must not overflow the call stack.
    for (let root = 0; root < this.nodes.length; root++) {
      if (indexOf.has(root)) {
        continue;
      }
      const work: { node: number; edge: number }[] = [{ node: root, edge: 0 }];
      indexOf.set(root, counter);
      lowLink.set(root, counter);
      counter += 1;
      stack.push(root);
      onStack.add(root);
      while (work.length > 0) {
        const frame = work[work.length - 1];
        const providers = this.providersByIndex[frame.node];
        if (frame.edge < providers.length) {
          const provider = providers[frame.edge];
          frame.edge += 1;
          if (!indexOf.has(provider)) {
            indexOf.set(provider, counter);
            lowLink.set(provider, counter);
            counter += 1;
            stack.push(provider);
            onStack.add(provider);
            work.push({ node: provider, edge: 0 });
          } else if (onStack.has(provider)) {
            lowLink.set(frame.node, Math.min(lowLink.get(frame.node) as number, indexOf.get(provider) as number));
          }
          continue;
        }
        work.pop();
        if (work.length > 0) {
          const parent = work[work.length - 1].node;
          lowLink.set(parent, Math.min(lowLink.get(parent) as number, lowLink.get(frame.node) as number));
        }
        if (lowLink.get(frame.node) === indexOf.get(frame.node)) {
          const component: number[] = [];
          let member: number;
          do {
            member = stack.pop() as number;
            onStack.delete(member);
            component.push(member);
          } while (member !== frame.node);
          components.push(component.sort((left, right) => left - right));
        }
      }
    }
    return components;
  }

  /** Shortest way from the component's first node back to itself, through its members only. */
  private cycleThrough(members: number[]): DependencyCycle<T> {
    const start = members[0];
    const inComponent = new Set(members);
    const cameFrom = new Map<number, number>();
    const queue = [start];
    let closing: number | undefined;
    while (queue.length > 0 && closing === undefined) {
      const current = queue.shift() as number;
      for (const provider of this.providersByIndex[current]) {
        if (provider === start) {
          closing = current;
          break;
        }
        if (inComponent.has(provider) && !cameFrom.has(provider)) {
          cameFrom.set(provider, current);
          queue.push(provider);
        }
      }
    }
    const indexes = [start];
    for (let at = closing as number; at !== start; at = cameFrom.get(at) as number) {
      indexes.splice(1, 0, at);
    }
    indexes.push(start);
    const path = indexes.map((index) => this.nodes[index]);
    return { path, tangle: members.map((index) => this.nodes[index]), message: `dependency cycle: ${describeDependencyPath(path)}` };
  }
}

export function describeDependencyPath(path: readonly DependentVersion[]): string {
  return path.map((node) => versionKey(node.component, node.version)).join(' → ');
}
