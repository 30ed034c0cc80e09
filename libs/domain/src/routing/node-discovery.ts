import { DomainViolation } from '../errors/domain-error';
import { backendOriginProblem } from './backend-nodes';
import { BackendNode, RoutingPolicy, StackConfigRoute, trafficReason } from './routing-policy';

/**
 * Nodes register themselves (heartbeats, discovery); a routing policy routes to them unless it pins
 * nodes by hand. A stack config whose nodes are discovered gets every known node of the policy's
 * component whose discovered version is that component's version in the stack config's version
 * group — the nodes that run this version group. Of those, the ones the registry knows as
 * unhealthy are left out, unless none is healthy: then all stay listed, because the registry's
 * view is coarse (a missed heartbeat, a slow probe) and the gateway's own health checks and
 * outlier detection judge a listed node within seconds, whereas an empty list would strand the
 * traffic the stack config takes.
 *
 * A stack config that takes traffic never ends up without nodes: when none of its version runs
 * any more, it keeps the nodes it had (the gateway decides about them) and, if it had none, the
 * policy is refused naming the stack config.
 */

export type KnownNodeHealth = 'healthy' | 'unhealthy' | 'unknown';

/** A node of the policy's component in the environment, as the registry last described it. */
export interface KnownNode {
  /** host:port, unique among the known nodes. */
  address: string;
  /** The origin requests go to. */
  url: string;
  discoveredVersion: string | null;
  health: KnownNodeHealth;
}

export interface NodeDiscoveryInput {
  /** The config to resolve: pinned stack configs are kept; discovered ones hold their last nodes (or none). */
  config: RoutingPolicy;
  /** Names of the stack configs whose nodes are discovered. */
  discovered: readonly string[];
  /** The version of the config's component in each version group; a group without that component is absent. */
  componentVersions: ReadonlyMap<string, string>;
  /** Every known node of the config's component in the environment. */
  nodes: readonly KnownNode[];
}

export interface NodeDiscoveryResult {
  config: RoutingPolicy;
  /** Discovered stack configs that take traffic but have no node to send it to. */
  violations: DomainViolation[];
}

/** The nodes a discovered stack config of this version lists: not known unhealthy, or all if none is healthy; by address. */
export function routableNodes(nodes: readonly KnownNode[], version: string): KnownNode[] {
  const running = nodes
    .filter((node) => node.discoveredVersion === version && backendOriginProblem(node.url) === undefined)
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const notUnhealthy = running.filter((node) => node.health !== 'unhealthy');
  return notUnhealthy.length > 0 ? notUnhealthy : running;
}

/**
 * Fills the discovered stack configs of a config with the nodes that run their version group.
 * Node ids are the nodes' addresses (stable across re-resolutions, so per-node KPIs and outlier
 * state carry over); an address already used as an id elsewhere in the config gets `#2`, `#3`….
 */
export function resolveDiscoveredNodes(input: NodeDiscoveryInput): NodeDiscoveryResult {
  const discovered = new Set(input.discovered);
  const violations: DomainViolation[] = [];
  type Pending = { kept: BackendNode[] } | { found: KnownNode[]; version: string };
  const pending: Pending[] = input.config.stackConfigs.map((stackConfig, index) => {
    if (!discovered.has(stackConfig.name)) {
      return { kept: stackConfig.nodes };
    }
    const version = input.componentVersions.get(stackConfig.name);
    const found = version === undefined ? [] : routableNodes(input.nodes, version);
    if (version !== undefined && found.length > 0) {
      return { found, version };
    }
    const reason = trafficReason(input.config, stackConfig);
    if (reason !== undefined && stackConfig.nodes.length === 0) {
      violations.push({ field: `stackConfigs[${index}].nodes`, message: noNodeMessage(input.config.component, stackConfig.name, version, reason) });
    }
    // Nothing runs this version (any more): a config that takes traffic keeps what it had; one that takes none lists nothing.
    return { kept: reason === undefined ? [] : stackConfig.nodes };
  });
  const usedIds = new Set(pending.flatMap((entry) => ('kept' in entry ? entry.kept.map((node) => node.id) : [])));
  const stackConfigs: StackConfigRoute[] = input.config.stackConfigs.map((stackConfig, index) => {
    const entry = pending[index];
    if ('kept' in entry) {
      return entry.kept === stackConfig.nodes ? stackConfig : { ...stackConfig, nodes: entry.kept };
    }
    return { ...stackConfig, nodes: entry.found.map((node) => ({ id: freeId(node.address, usedIds), url: node.url, version: entry.version })) };
  });
  return { config: { ...input.config, stackConfigs }, violations };
}

function freeId(address: string, used: Set<string>): string {
  let id = address;
  for (let suffix = 2; used.has(id); suffix++) {
    id = `${address}#${suffix}`;
  }
  used.add(id);
  return id;
}

function noNodeMessage(component: string, stackConfig: string, version: string | undefined, reason: string): string {
  if (version === undefined) {
    return `version group '${stackConfig}' has no version of ${component}, so no node can be discovered for it: list its nodes (requests can reach it: ${reason})`;
  }
  return `no node of ${component} ${version} (version group '${stackConfig}') has registered in this environment yet, and requests can reach this stack config (${reason}): start its nodes (they register by heartbeat) or list them`;
}

export interface NodeChange {
  stackConfig: string;
  kind: 'added' | 'removed' | 'changed';
  node: BackendNode;
}

/** What differs between the nodes of two versions of a config, stack config by stack config (matched by name, nodes by id). */
export function nodeChanges(before: RoutingPolicy, after: RoutingPolicy): NodeChange[] {
  const changes: NodeChange[] = [];
  for (const stackConfig of after.stackConfigs) {
    const previous = before.stackConfigs.find((candidate) => candidate.name === stackConfig.name)?.nodes ?? [];
    for (const node of stackConfig.nodes) {
      const old = previous.find((candidate) => candidate.id === node.id);
      if (!old) {
        changes.push({ stackConfig: stackConfig.name, kind: 'added', node });
      } else if (old.url !== node.url || old.version !== node.version) {
        changes.push({ stackConfig: stackConfig.name, kind: 'changed', node });
      }
    }
    for (const node of previous) {
      if (!stackConfig.nodes.some((candidate) => candidate.id === node.id)) {
        changes.push({ stackConfig: stackConfig.name, kind: 'removed', node });
      }
    }
  }
  return changes;
}

const CHANGE_SIGN: Record<NodeChange['kind'], string> = { added: '+', removed: '-', changed: '~' };

/** `nodes discovered: +10.0.0.5:8080 (checkout@2), -10.0.0.4:8080 (checkout@1)`, for a policy version's reason. */
export function describeNodeChanges(changes: readonly NodeChange[]): string {
  return `nodes discovered: ${changes.map((change) => `${CHANGE_SIGN[change.kind]}${change.node.id} (${change.stackConfig})`).join(', ')}`;
}

/**
 * How many of these nodes the registry does not know as unhealthy. A node is matched to a known
 * node by origin; one the registry does not know (a pinned node that never reported) counts as
 * healthy: only the gateway can judge it.
 */
export function nodesNotKnownUnhealthy(nodes: readonly BackendNode[], known: readonly KnownNode[]): number {
  const unhealthy = new Set(known.filter((node) => node.health === 'unhealthy').map((node) => originOf(node.url)));
  const reporting = new Set(known.filter((node) => node.health !== 'unhealthy').map((node) => originOf(node.url)));
  return nodes.filter((node) => {
    const origin = originOf(node.url);
    return !unhealthy.has(origin) || reporting.has(origin);
  }).length;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
