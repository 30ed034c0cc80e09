import { Injectable } from '@nestjs/common';
import { DomainViolation, RoutingPolicy, RoutingPolicySources } from '@strata/domain';
import { EntityManager } from 'typeorm';
import { ROUTING_CONTROL_SCHEMA } from '../database/routing-control-schema';
import { PolicyDiscoveredStackConfigsEntity } from '../entities/discovered-node.entity';
import { GatewayStatusEntity, RoutingPolicyEntity } from '../entities/routing-policy.entity';

export interface NewPolicyVersion {
  stack: string;
  environment: string;
  config: RoutingPolicy;
  reason: string;
  createdBy: string;
  /** The stack configs whose nodes are discovered rather than pinned (empty: all pinned). */
  discoveredStackConfigs: string[];
  /** Where the parts came from; absent: as in the version before (a rollout step or a discovery keeps them), null: the operator's. */
  sources?: RoutingPolicySources | null;
}

/** A policy version with the stack configs whose nodes routing-control discovers. */
export type RoutingPolicyVersion = RoutingPolicyEntity & { discoveredStackConfigs: string[] };

/** The only code touching routing policies and the gateways' ACK/NACK status. */
@Injectable()
export class PoliciesRepository {
  /**
   * Appends the next version. The transaction-scoped advisory lock serialises writers of one
   * stack and environment, so versions increase without gaps or duplicates.
   */
  async append(manager: EntityManager, policy: NewPolicyVersion): Promise<RoutingPolicyVersion> {
    await this.lock(manager, policy.stack, policy.environment);
    const current = await this.current(manager, policy.stack, policy.environment);
    const { discoveredStackConfigs, sources, ...fields } = policy;
    const saved = await manager.save(manager.create(RoutingPolicyEntity, { ...fields, sources: sources === undefined ? (current?.sources ?? null) : sources, version: (current?.version ?? 0) + 1 }));
    if (discoveredStackConfigs.length > 0) {
      await manager.insert(PolicyDiscoveredStackConfigsEntity, { stack: saved.stack, environment: saved.environment, version: saved.version, stackConfigs: discoveredStackConfigs });
    }
    return Object.assign(saved, { discoveredStackConfigs });
  }

  /**
   * Serialises writers of one stack and environment's policy until the transaction ends. A writer
   * that derives the next version from the current one takes it before reading the current one,
   * so a rollout step and a node discovery never build on the same version and lose a change.
   */
  async lock(manager: EntityManager, stack: string, environment: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`routing-policy:${stack}/${environment}`]);
  }

  /** The policy version with the stack configs whose nodes are discovered. */
  async withDiscovery(manager: EntityManager, policy: RoutingPolicyEntity): Promise<RoutingPolicyVersion> {
    const [withNames] = await this.withDiscoveryAll(manager, [policy]);
    return withNames;
  }

  async withDiscoveryAll(manager: EntityManager, policies: RoutingPolicyEntity[]): Promise<RoutingPolicyVersion[]> {
    const rows =
      policies.length === 0
        ? []
        : await manager.find(PolicyDiscoveredStackConfigsEntity, { where: policies.map(({ stack, environment, version }) => ({ stack, environment, version })) });
    return policies.map((policy) =>
      Object.assign(policy, {
        discoveredStackConfigs: rows.find((row) => row.stack === policy.stack && row.environment === policy.environment && row.version === policy.version)?.stackConfigs ?? [],
      }),
    );
  }

  current(manager: EntityManager, stack: string, environment: string): Promise<RoutingPolicyEntity | null> {
    return manager.findOne(RoutingPolicyEntity, { where: { stack, environment }, order: { version: 'DESC' } });
  }

  /** The current version of every stack and environment's policy. */
  currentOfEvery(manager: EntityManager): Promise<RoutingPolicyEntity[]> {
    return manager
      .createQueryBuilder(RoutingPolicyEntity, 'policy')
      .distinctOn(['policy.stack', 'policy.environment'])
      .orderBy('policy.stack')
      .addOrderBy('policy.environment')
      .addOrderBy('policy.version', 'DESC')
      .getMany();
  }

  find(manager: EntityManager, stack: string, environment: string, version: number): Promise<RoutingPolicyEntity | null> {
    return manager.findOne(RoutingPolicyEntity, { where: { stack, environment, version } });
  }

  history(manager: EntityManager, stack: string, environment: string, limit: number): Promise<RoutingPolicyEntity[]> {
    return manager.find(RoutingPolicyEntity, { where: { stack, environment }, order: { version: 'DESC' }, take: limit });
  }

  async recordApplied(manager: EntityManager, stack: string, environment: string, gatewayId: string, version: number): Promise<void> {
    // GREATEST: ACKs may arrive out of order after a redelivery; a gateway never goes back.
    await manager.query(
      `INSERT INTO "${ROUTING_CONTROL_SCHEMA}".gateway_status (stack, environment, gateway_id, applied_version, violations, updated_at)
       VALUES ($1, $2, $3, $4, '[]', now())
       ON CONFLICT (stack, environment, gateway_id) DO UPDATE
         SET applied_version = GREATEST(COALESCE(gateway_status.applied_version, 0), EXCLUDED.applied_version), updated_at = now()`,
      [stack, environment, gatewayId, version],
    );
  }

  async recordRejected(manager: EntityManager, stack: string, environment: string, gatewayId: string, rejection: { version: number; reason: string; violations: DomainViolation[]; keptVersion: number | null }): Promise<void> {
    await manager.query(
      `INSERT INTO "${ROUTING_CONTROL_SCHEMA}".gateway_status (stack, environment, gateway_id, applied_version, rejected_version, rejection_reason, violations, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now())
       ON CONFLICT (stack, environment, gateway_id) DO UPDATE
         SET rejected_version = GREATEST(COALESCE(gateway_status.rejected_version, 0), EXCLUDED.rejected_version),
             rejection_reason = CASE WHEN EXCLUDED.rejected_version >= COALESCE(gateway_status.rejected_version, 0) THEN EXCLUDED.rejection_reason ELSE gateway_status.rejection_reason END,
             violations = CASE WHEN EXCLUDED.rejected_version >= COALESCE(gateway_status.rejected_version, 0) THEN EXCLUDED.violations ELSE gateway_status.violations END,
             applied_version = GREATEST(gateway_status.applied_version, EXCLUDED.applied_version),
             updated_at = now()`,
      [stack, environment, gatewayId, rejection.keptVersion, rejection.version, rejection.reason, JSON.stringify(rejection.violations)],
    );
  }

  gateways(manager: EntityManager, stack: string, environment: string): Promise<GatewayStatusEntity[]> {
    return manager.find(GatewayStatusEntity, { where: { stack, environment }, order: { gatewayId: 'ASC' } });
  }
}
