import { DependencyDeclaration } from '../components/component-version';

/** A forward execution deploys a version group; a backward one rolls an environment back to one. */
export type ExecutionKind = 'deploy' | 'rollback';

/** One member of a version group as an execution sees it: the component, its layer and version. */
export interface ExecutionMember {
  component: string;
  /** The component type (app, db-schema, lb-rule, network-policy, api-contract, infra-config, or a plug-in's). */
  type: string;
  version: string;
  dependencies: readonly DependencyDeclaration[];
}

/**
 * What a step does: `apply` brings a component to the target version (forward: its `up`, its spec
 * compiled into the routing policy, nodes of the new version ready); `revert` takes it back (the
 * version's rollback actions); `traffic` moves the environment's traffic to the target group.
 */
export type StepAction = 'apply' | 'revert' | 'traffic';

export interface PlannedStep {
  /** Position in the execution, from 0: steps run strictly in this order. */
  index: number;
  action: StepAction;
  /** The component, or the version group for a `traffic` step. */
  component: string;
  type: string;
  fromVersion: string | null;
  toVersion: string | null;
}

export interface ExecutionPlan {
  kind: ExecutionKind;
  fromVersionGroup: string | null;
  toVersionGroup: string;
  steps: PlannedStep[];
}

/**
 * Layers in the order a backward execution takes them back, after traffic: users stop seeing the
 * bad version first, the schema goes last (nothing may run against a schema already taken back).
 * A forward execution takes them in the reverse order, traffic last. A plug-in type that is not
 * listed sits between api-contract and infra-config.
 */
export const ROLLBACK_LAYER_ORDER: readonly string[] = ['app', 'lb-rule', 'network-policy', 'api-contract', 'infra-config', 'db-schema'];
const UNLISTED_LAYER_RANK = ROLLBACK_LAYER_ORDER.indexOf('infra-config') - 0.5;

function rollbackRank(type: string): number {
  const rank = ROLLBACK_LAYER_ORDER.indexOf(type);
  return rank === -1 ? UNLISTED_LAYER_RANK : rank;
}

export type PlanOutcome = { ok: true; plan: ExecutionPlan } | { ok: false; message: string };

/**
 * A forward execution: every member whose version differs from what is deployed, providers before
 * what depends on them (a db-schema before the app that needs it), ties by layer (schema first,
 * app last) then name; the traffic step last. Members already at their version are not touched.
 */
export function planDeploy(input: { toVersionGroup: string; fromVersionGroup: string | null; members: readonly ExecutionMember[]; deployed: readonly ExecutionMember[] }): PlanOutcome {
  const current = new Map(input.deployed.map((member) => [member.component, member]));
  const changing = input.members.filter((member) => current.get(member.component)?.version !== member.version);
  const ordered = dependencyOrder(changing, 'providers-first', (member) => -rollbackRank(member.type));
  if (!ordered.ok) {
    return ordered;
  }
  const steps: Omit<PlannedStep, 'index'>[] = ordered.order.map((member) => ({
    action: 'apply',
    component: member.component,
    type: member.type,
    fromVersion: current.get(member.component)?.version ?? null,
    toVersion: member.version,
  }));
  steps.push({ action: 'traffic', component: input.toVersionGroup, type: 'traffic', fromVersion: input.fromVersionGroup, toVersion: input.toVersionGroup });
  return { ok: true, plan: { kind: 'deploy', fromVersionGroup: input.fromVersionGroup, toVersionGroup: input.toVersionGroup, steps: steps.map((step, index) => ({ ...step, index })) } };
}

/**
 * A backward execution to a previously deployed group: traffic first, then each component whose
 * deployed version differs from the group's, layer by layer (app, lb-rule, network-policy,
 * api-contract, infra-config, db-schema last), dependents before what they depend on within a
 * layer. A component the group does not hold is reverted to nothing (its rollback actions
 * run and it leaves the version map).
 */
export function planRollback(input: { toVersionGroup: string; fromVersionGroup: string | null; members: readonly ExecutionMember[]; deployed: readonly ExecutionMember[] }): PlanOutcome {
  const target = new Map(input.members.map((member) => [member.component, member]));
  const reverting = input.deployed.filter((member) => target.get(member.component)?.version !== member.version);
  // The layer order is the design's and comes first; dependencies order the members of one layer.
  const ranks = [...new Set(reverting.map((member) => rollbackRank(member.type)))].sort((left, right) => left - right);
  const order: ExecutionMember[] = [];
  for (const rank of ranks) {
    const layer = dependencyOrder(
      reverting.filter((member) => rollbackRank(member.type) === rank),
      'dependents-first',
      () => 0,
    );
    if (!layer.ok) {
      return layer;
    }
    order.push(...layer.order);
  }
  const ordered = { order };
  const deployedNames = new Set(input.deployed.map((member) => member.component));
  const missing = input.members.filter((member) => !deployedNames.has(member.component));
  const steps: Omit<PlannedStep, 'index'>[] = [
    { action: 'traffic', component: input.toVersionGroup, type: 'traffic', fromVersion: input.fromVersionGroup, toVersion: input.toVersionGroup },
    ...ordered.order.map((member): Omit<PlannedStep, 'index'> => ({
      action: 'revert',
      component: member.component,
      type: member.type,
      fromVersion: member.version,
      toVersion: target.get(member.component)?.version ?? null,
    })),
    // A member of the restored group that is not deployed at all (removed since) is applied again, schema first.
    ...dependencyOrderOrInput(missing).map((member): Omit<PlannedStep, 'index'> => ({ action: 'apply', component: member.component, type: member.type, fromVersion: null, toVersion: member.version })),
  ];
  return { ok: true, plan: { kind: 'rollback', fromVersionGroup: input.fromVersionGroup, toVersionGroup: input.toVersionGroup, steps: steps.map((step, index) => ({ ...step, index })) } };
}

function dependencyOrderOrInput(members: readonly ExecutionMember[]): ExecutionMember[] {
  const ordered = dependencyOrder(members, 'providers-first', (member) => -rollbackRank(member.type));
  return ordered.ok ? ordered.order : [...members];
}

/**
 * Kahn's algorithm over the dependencies inside the set (a dependency on a component outside it
 * does not constrain the order), choosing among the ready members by `priority`, then by name, so
 * the same input always gives the same plan. A cycle has no order.
 */
export function dependencyOrder(
  members: readonly ExecutionMember[],
  direction: 'providers-first' | 'dependents-first',
  priority: (member: ExecutionMember) => number,
): { ok: true; order: ExecutionMember[] } | { ok: false; message: string } {
  const byName = new Map(members.map((member) => [member.component, member]));
  // waiting[x] = members that must come before x.
  const waiting = new Map<string, Set<string>>(members.map((member) => [member.component, new Set<string>()]));
  for (const member of members) {
    for (const dependency of member.dependencies) {
      if (!byName.has(dependency.component) || dependency.component === member.component) continue;
      const [first, second] = direction === 'providers-first' ? [dependency.component, member.component] : [member.component, dependency.component];
      waiting.get(second)?.add(first);
    }
  }
  const order: ExecutionMember[] = [];
  const compare = (left: ExecutionMember, right: ExecutionMember) => priority(left) - priority(right) || (left.component < right.component ? -1 : left.component > right.component ? 1 : 0);
  while (order.length < members.length) {
    const ready = members.filter((member) => !order.includes(member) && (waiting.get(member.component)?.size ?? 0) === 0).sort(compare);
    const next = ready[0];
    if (!next) {
      const tangled = members.filter((member) => !order.includes(member)).map((member) => member.component);
      return { ok: false, message: `no ${direction === 'providers-first' ? 'deploy' : 'rollback'} order exists: ${tangled.join(', ')} depend on each other in a cycle` };
    }
    order.push(next);
    for (const blocked of waiting.values()) blocked.delete(next.component);
  }
  return { ok: true, order };
}
