import { DependencyCycle, DependencyGraph, DependentVersion } from './dependency-graph';

export type DeployOrder<T extends DependentVersion> = { ok: true; order: T[] } | { ok: false; cycles: DependencyCycle<T>[]; message: string };

/**
 * The order to deploy a set of versions in: every version after the versions of the components it
 * depends on. Dependencies on components outside the set do not constrain the order (they are
 * already deployed). Ties are broken by component name, so the same set always gives the same
 * order. A cycle has no order; every cycle is reported.
 */
export function deployOrder<T extends DependentVersion>(versions: readonly T[]): DeployOrder<T> {
  return orderOf(versions, 'providers-first');
}

/**
 * The order to roll a set of versions back in: dependents before what they depend on, so nothing
 * runs against a dependency that has already been taken back. Ties are broken by component name.
 */
export function rollbackOrder<T extends DependentVersion>(versions: readonly T[]): DeployOrder<T> {
  return orderOf(versions, 'dependents-first');
}

function orderOf<T extends DependentVersion>(versions: readonly T[], direction: 'providers-first' | 'dependents-first'): DeployOrder<T> {
  const graph = new DependencyGraph(versions);
  const { order, blocked } = graph.topologicalOrder(direction);
  if (blocked.length === 0) {
    return { ok: true, order };
  }
  const cycles = graph.cycles();
  return { ok: false, cycles, message: `no ${direction === 'providers-first' ? 'deploy' : 'rollback'} order exists: ${cycles.map((cycle) => cycle.message).join('; ')}` };
}
