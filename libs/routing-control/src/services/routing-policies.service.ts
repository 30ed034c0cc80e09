import { Injectable } from '@nestjs/common';
import {
  DomainError,
  DomainViolation,
  MirrorSettings,
  mirrorExpired,
  NodeDiscoveryResult,
  RoutingPolicy,
  RoutingPolicySources,
  describeNodeChanges,
  nodeChanges,
  nodesNotKnownUnhealthy,
  parseResolvedRoutingPolicy,
  parseRoutingPolicy,
  resolveDiscoveredNodes,
  resolvedRoutingPolicyViolations,
  routingPolicyViolations,
} from '@strata/domain';
import { EventOutbox } from '@strata/messaging';
import { Logger } from '@strata/observability';
import { EntityManager } from 'typeorm';
import { GatewayStatusEntity, RoutingPolicyEntity } from '../entities/routing-policy.entity';
import { DeployedGroupsRepository } from '../repositories/deployed-groups.repository';
import { KnownStacksRepository } from '../repositories/known-stacks.repository';
import { NodeScope, NodesRepository } from '../repositories/nodes.repository';
import { PoliciesRepository, RoutingPolicyVersion } from '../repositories/policies.repository';
import { RoutingTransactions } from '../repositories/transactions';

/** Routing policies route production traffic: discovered nodes are those of the production location. */
const ROUTED_LOCATION: NodeScope['location'] = 'production';
const DISCOVERY_ACTOR = 'routing-control';

export type GatewaySyncStatus = 'in-sync' | 'stale' | 'rejected';

export interface GatewayStatus {
  gateway: GatewayStatusEntity;
  status: GatewaySyncStatus;
}

export interface PolicyStatus {
  policy: RoutingPolicyEntity;
  gateways: GatewayStatus[];
}

/** In sync: serves the current version. Rejected: refused the current version. Stale: anything else. */
export function gatewaySyncStatus(gateway: GatewayStatusEntity, currentVersion: number): GatewaySyncStatus {
  if (gateway.appliedVersion !== null && gateway.appliedVersion >= currentVersion) {
    return 'in-sync';
  }
  return gateway.rejectedVersion !== null && gateway.rejectedVersion >= currentVersion ? 'rejected' : 'stale';
}

/**
 * Routing policies: each change is the next version, published to gateways. A stack config either
 * pins its nodes (listed in the policy, used as given) or has them discovered (`nodes` omitted or
 * empty): routing-control fills in the nodes the registry announced for the stack, environment
 * (production location) and the policy's component that run the component's version in that
 * stack config's version group (see `resolveDiscoveredNodes`), and publishes a new version
 * whenever that set changes.
 */
@Injectable()
export class RoutingPoliciesService {
  private readonly logger = new Logger('routing-policies').child({ service: 'routing-control' });

  constructor(
    private readonly policies: PoliciesRepository,
    private readonly groups: DeployedGroupsRepository,
    private readonly knownStacks: KnownStacksRepository,
    private readonly nodes: NodesRepository,
    private readonly transactions: RoutingTransactions,
    private readonly events: EventOutbox,
  ) {}

  /** An operator's new policy: validated field by field, its discovered nodes filled in, then published as the next version. */
  put(stack: string, environment: string, policy: unknown, actor: string): Promise<RoutingPolicyVersion> {
    const { config, discoveredStackConfigs } = parseRoutingPolicy(policy);
    return this.transactions.run(async (manager) => {
      await this.policies.lock(manager, stack, environment);
      return this.publish(manager, stack, environment, config, discoveredStackConfigs, 'changed by an operator', actor, null);
    });
  }

  /**
   * A version derived from the deployed routing layers (an execution step), in the caller's
   * transaction, with where each part came from; invalid-input naming each violation otherwise.
   */
  async publishDerived(manager: EntityManager, stack: string, environment: string, config: RoutingPolicy, sources: RoutingPolicySources, reason: string, actor: string): Promise<RoutingPolicyVersion> {
    await this.policies.lock(manager, stack, environment);
    const discovered = config.stackConfigs.filter((stackConfig) => stackConfig.nodes.length === 0).map((stackConfig) => stackConfig.name);
    return this.publish(manager, stack, environment, config, discovered, reason, actor, sources);
  }

  /**
   * A new version derived from the current one (a rollout step), in the caller's transaction. The
   * stack configs whose nodes were discovered stay discovered, with the nodes known now.
   */
  async derive(manager: EntityManager, stack: string, environment: string, change: (current: RoutingPolicy) => RoutingPolicy, reason: string, actor: string): Promise<RoutingPolicyVersion> {
    await this.policies.lock(manager, stack, environment);
    const current = await this.policies.withDiscovery(manager, await this.requireCurrent(manager, stack, environment));
    const next = change(current.config);
    return this.publish(manager, stack, environment, next, current.discoveredStackConfigs, reason, actor);
  }

  /**
   * Mirrors a sample of the policy's requests to one of its stack configs (a staging config), or
   * stops mirroring (`null`), as the next version derived from the current one under its lock, so
   * a rollout step or a traffic rule changing the policy at the same time is neither lost nor
   * overwritten. The stack config must already be in the policy with its nodes; the policy's
   * validator names `mirror.stackConfig` or `mirror.sampleRate` otherwise. Stopping a mirror that
   * is not set publishes nothing and answers the current version.
   */
  setMirror(stack: string, environment: string, mirror: MirrorSettings | null, actor: string): Promise<RoutingPolicyVersion> {
    return this.transactions.run(async (manager) => {
      if (mirror === null) {
        await this.policies.lock(manager, stack, environment);
        const current = await this.requireCurrent(manager, stack, environment);
        if (current.config.mirror === undefined) {
          return this.policies.withDiscovery(manager, current);
        }
      }
      const reason = mirror ? `mirroring ${mirror.sampleRate} of requests to ${mirror.stackConfig}` : 'mirroring stopped';
      return this.derive(manager, stack, environment, (config) => withMirror(config, mirror), reason, actor);
    });
  }

  /**
   * Removes every mirror whose `until` has passed at `now`, each as the next version of its policy
   * (reason `mirroring expired at …`, actor routing-control); returns how many. The backstop of a
   * mirrored trial whose owner died before switching its mirror off.
   */
  expireMirrors(now: number): Promise<number> {
    return this.transactions.run(async (manager) => {
      const expired = (await this.policies.currentOfEvery(manager)).filter((policy) => mirrorExpired(policy.config, now));
      for (const { stack, environment, config } of expired) {
        await this.derive(manager, stack, environment, (current) => (mirrorExpired(current, now) ? withMirror(current, null) : current), `mirroring expired at ${config.mirror?.until}`, DISCOVERY_ACTOR);
      }
      return expired.length;
    });
  }

  /**
   * Re-resolves the discovered nodes of the current policy after the registry announced a node of
   * `component`, in the caller's (the consumer's) transaction. When the nodes of a stack config
   * changed, publishes the next version (reason `nodes discovered: +10.0.0.5:8080 (…)`, actor
   * routing-control) and returns it; returns null when nothing changed.
   */
  async rediscoverNodes(manager: EntityManager, stack: string, environment: string, component: string): Promise<RoutingPolicyVersion | null> {
    await this.policies.lock(manager, stack, environment);
    const found = await this.policies.current(manager, stack, environment);
    if (!found || found.config.component !== component) {
      return null;
    }
    const current = await this.policies.withDiscovery(manager, found);
    if (current.discoveredStackConfigs.length === 0) {
      return null;
    }
    const resolved = await this.resolveNodes(manager, stack, environment, current.config, current.discoveredStackConfigs);
    const changes = nodeChanges(current.config, resolved.config);
    if (changes.length === 0) {
      return null;
    }
    const violations = [...resolved.violations, ...resolvedRoutingPolicyViolations(resolved.config)];
    if (violations.length > 0) {
      // Cannot happen with a valid current version (a config that takes traffic keeps its nodes); never publish an invalid one.
      this.logger.warn('discovered nodes changed, but the re-resolved policy is invalid; kept the current version', { stack, environment, version: current.version, violations });
      return null;
    }
    return this.append(manager, { stack, environment, config: resolved.config, reason: describeNodeChanges(changes), createdBy: DISCOVERY_ACTOR, discoveredStackConfigs: current.discoveredStackConfigs });
  }

  /**
   * How many nodes of `stackConfig` in the current policy of the stack and environment the registry
   * does not know as unhealthy: discovered nodes that are healthy or not yet judged, and pinned
   * nodes unless the registry reports the same origin unhealthy (a pinned node the registry does
   * not know counts as healthy). 0 when the stack config is not in the policy or has no node.
   * Throws not-found when the stack and environment have no policy. Reads in the caller's
   * transaction, so a rollout can decide on it and move weights atomically.
   */
  async healthyNodeCount(manager: EntityManager, stack: string, environment: string, stackConfig: string): Promise<number> {
    const policy = await this.requireCurrent(manager, stack, environment);
    const route = policy.config.stackConfigs.find((candidate) => candidate.name === stackConfig);
    if (!route || route.nodes.length === 0) {
      return 0;
    }
    const known = await this.nodes.nodesOf(manager, { stack, environment, location: ROUTED_LOCATION, component: policy.config.component });
    return nodesNotKnownUnhealthy(route.nodes, known);
  }

  findCurrent(manager: EntityManager, stack: string, environment: string): Promise<RoutingPolicyEntity | null> {
    return this.policies.current(manager, stack, environment);
  }

  async requireCurrent(manager: EntityManager, stack: string, environment: string): Promise<RoutingPolicyEntity> {
    const current = await this.policies.current(manager, stack, environment);
    if (!current) {
      throw DomainError.notFound('routing policy', `${stack}/${environment}`);
    }
    return current;
  }

  async current(stack: string, environment: string): Promise<RoutingPolicyVersion> {
    const manager = this.transactions.reader;
    return this.policies.withDiscovery(manager, await this.requireCurrent(manager, stack, environment));
  }

  async version(stack: string, environment: string, version: number): Promise<RoutingPolicyVersion> {
    const manager = this.transactions.reader;
    const policy = await this.policies.find(manager, stack, environment, version);
    if (!policy) {
      throw DomainError.notFound('routing policy version', `${stack}/${environment}@${version}`);
    }
    return this.policies.withDiscovery(manager, policy);
  }

  async history(stack: string, environment: string, limit: number): Promise<RoutingPolicyVersion[]> {
    const manager = this.transactions.reader;
    return this.policies.withDiscoveryAll(manager, await this.policies.history(manager, stack, environment, limit));
  }

  async status(stack: string, environment: string, within?: EntityManager): Promise<PolicyStatus> {
    const manager = within ?? this.transactions.reader;
    const policy = await this.requireCurrent(manager, stack, environment);
    const gateways = await this.policies.gateways(manager, stack, environment);
    return { policy, gateways: gateways.map((gateway) => ({ gateway, status: gatewaySyncStatus(gateway, policy.version) })) };
  }

  /**
   * Publishes the current version of every policy again (same version, new event id). Gateways on
   * that version repeat their ACK; one that has none yet (a new gateway, its bus history past
   * retention) applies it. Returns how many policies were republished.
   */
  republishCurrent(): Promise<number> {
    return this.transactions.run(async (manager) => {
      const current = await this.policies.currentOfEvery(manager);
      await this.events.record(manager, ...current.map((policy) => this.publishedEvent(policy)));
      return current.length;
    });
  }

  /** Validates the config (nodes of discovered stack configs may be missing), fills in the discovered nodes, validates the result as gateways will, appends it. */
  private async publish(
    manager: EntityManager,
    stack: string,
    environment: string,
    candidate: RoutingPolicy,
    discovered: readonly string[],
    reason: string,
    actor: string,
    sources?: RoutingPolicySources | null,
  ): Promise<RoutingPolicyVersion> {
    const shape = routingPolicyViolations(candidate);
    if (shape.length > 0) {
      throw DomainError.invalid(`the routing policy has ${shape.length} violation(s)`, shape);
    }
    await this.assertTargetsExist(manager, stack, environment, candidate);
    const names = new Set(candidate.stackConfigs.map((stackConfig) => stackConfig.name));
    const discoveredStackConfigs = discovered.filter((name) => names.has(name));
    const resolved = await this.resolveNodes(manager, stack, environment, candidate, discoveredStackConfigs);
    // A discovered stack config without nodes is named once, with why discovery found none.
    const violations = resolved.violations.length > 0 ? resolved.violations : resolvedRoutingPolicyViolations(resolved.config);
    if (violations.length > 0) {
      throw DomainError.invalid(`the routing policy has ${violations.length} violation(s)`, violations);
    }
    return this.append(manager, { stack, environment, config: parseResolvedRoutingPolicy(resolved.config), reason, createdBy: actor, discoveredStackConfigs, ...(sources === undefined ? {} : { sources }) });
  }

  private async append(manager: EntityManager, policy: Parameters<PoliciesRepository['append']>[1]): Promise<RoutingPolicyVersion> {
    const appended = await this.policies.append(manager, policy);
    await this.events.record(manager, this.publishedEvent(appended));
    return appended;
  }

  private async resolveNodes(manager: EntityManager, stack: string, environment: string, config: RoutingPolicy, discovered: readonly string[]): Promise<NodeDiscoveryResult> {
    if (discovered.length === 0) {
      return { config, violations: [] };
    }
    const componentVersions = await this.nodes.componentVersions(manager, stack, discovered, config.component);
    const nodes = await this.nodes.nodesOf(manager, { stack, environment, location: ROUTED_LOCATION, component: config.component });
    return resolveDiscoveredNodes({ config, discovered, componentVersions, nodes });
  }

  private publishedEvent(policy: RoutingPolicyEntity) {
    const { stack, environment, version, config } = policy;
    return this.events.create('io.strata.routing.config.published.v1', stack, { stack, environment, version, config: toRecord(config) });
  }

  /** The stack and environment as the registry announced them, or not found (a typo would route nothing). */
  async assertKnownEnvironment(manager: EntityManager, stack: string, environment: string): Promise<void> {
    const known = await this.knownStacks.find(manager, stack);
    if (!known) {
      throw DomainError.notFound('stack', stack);
    }
    if (!known.environments.some((candidate) => candidate.name === environment)) {
      throw DomainError.notFound('environment', `${stack}/${environment}`);
    }
  }

  /** Every stack config must be a version group of the stack deployed to this environment. */
  private async assertTargetsExist(manager: EntityManager, stack: string, environment: string, config: RoutingPolicy): Promise<void> {
    await this.assertKnownEnvironment(manager, stack, environment);
    const names = config.stackConfigs.map((stackConfig) => stackConfig.name);
    const existing = await this.groups.knownGroups(manager, stack, names);
    const deployed = await this.groups.deployedGroups(manager, stack, environment);
    const violations: DomainViolation[] = [];
    names.forEach((name, index) => {
      const field = `stackConfigs[${index}].name`;
      if (!existing.has(name)) {
        violations.push({ field, message: `'${name}' is not a version group of stack ${stack}` });
      } else if (!deployed.has(name)) {
        violations.push({ field, message: `version group '${name}' is not deployed to ${environment}` });
      }
    });
    if (violations.length > 0) {
      throw DomainError.invalid(`the routing policy names version groups that cannot take traffic in ${environment}`, violations);
    }
  }
}

function withMirror(config: RoutingPolicy, mirror: MirrorSettings | null): RoutingPolicy {
  if (mirror !== null) return { ...config, mirror };
  const withoutMirror = { ...config };
  delete withoutMirror.mirror;
  return withoutMirror;
}

function toRecord(config: RoutingPolicy): Record<string, unknown> {
  return JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
}
