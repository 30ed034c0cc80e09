import { Injectable } from '@nestjs/common';
import { DomainError, DomainViolation, RoutingConfig, parseRoutingConfig, routingConfigViolations } from '@strata/domain';
import { EventOutbox } from '@strata/messaging';
import { EntityManager } from 'typeorm';
import { GatewayStatusEntity, RoutingPolicyEntity } from '../entities/routing-policy.entity';
import { DeployedGroupsRepository } from '../repositories/deployed-groups.repository';
import { KnownStacksRepository } from '../repositories/known-stacks.repository';
import { PoliciesRepository } from '../repositories/policies.repository';
import { RoutingTransactions } from '../repositories/transactions';

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

@Injectable()
export class RoutingPoliciesService {
  constructor(
    private readonly policies: PoliciesRepository,
    private readonly groups: DeployedGroupsRepository,
    private readonly knownStacks: KnownStacksRepository,
    private readonly transactions: RoutingTransactions,
    private readonly events: EventOutbox,
  ) {}

  /** An operator's new policy: validated field by field, then published as the next version. */
  put(stack: string, environment: string, config: unknown, actor: string): Promise<RoutingPolicyEntity> {
    return this.transactions.run((manager) => this.publish(manager, stack, environment, config, 'changed by an operator', actor));
  }

  /** A new version derived from the current one (a rollout step), in the caller's transaction. */
  async derive(manager: EntityManager, stack: string, environment: string, change: (current: RoutingConfig) => RoutingConfig, reason: string, actor: string): Promise<RoutingPolicyEntity> {
    const current = await this.requireCurrent(manager, stack, environment);
    return this.publish(manager, stack, environment, change(current.config), reason, actor);
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

  current(stack: string, environment: string): Promise<RoutingPolicyEntity> {
    return this.requireCurrent(this.transactions.reader, stack, environment);
  }

  async version(stack: string, environment: string, version: number): Promise<RoutingPolicyEntity> {
    const policy = await this.policies.find(this.transactions.reader, stack, environment, version);
    if (!policy) {
      throw DomainError.notFound('routing policy version', `${stack}/${environment}@${version}`);
    }
    return policy;
  }

  history(stack: string, environment: string, limit: number): Promise<RoutingPolicyEntity[]> {
    return this.policies.history(this.transactions.reader, stack, environment, limit);
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

  private async publish(manager: EntityManager, stack: string, environment: string, candidate: unknown, reason: string, actor: string): Promise<RoutingPolicyEntity> {
    const violations = routingConfigViolations(candidate);
    if (violations.length > 0) {
      throw DomainError.invalid(`the routing policy has ${violations.length} violation(s)`, violations);
    }
    const config = parseRoutingConfig(candidate);
    await this.assertTargetsExist(manager, stack, environment, config);
    const policy = await this.policies.append(manager, { stack, environment, config, reason, createdBy: actor });
    await this.events.record(manager, this.publishedEvent(policy));
    return policy;
  }

  private publishedEvent(policy: RoutingPolicyEntity) {
    const { stack, environment, version, config } = policy;
    return this.events.create('io.strata.routing.config.published.v1', stack, { stack, environment, version, config: toRecord(config) });
  }

  /** Every stack config must be a version group of the stack deployed to this environment. */
  private async assertTargetsExist(manager: EntityManager, stack: string, environment: string, config: RoutingConfig): Promise<void> {
    const known = await this.knownStacks.find(manager, stack);
    if (!known) {
      throw DomainError.notFound('stack', stack);
    }
    if (!known.environments.some((candidate) => candidate.name === environment)) {
      throw DomainError.notFound('environment', `${stack}/${environment}`);
    }
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

function toRecord(config: RoutingConfig): Record<string, unknown> {
  return JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
}
