import { Injectable } from '@nestjs/common';
import { RolloutEffect, RolloutInput } from '@strata/domain';
import { EntityManager } from 'typeorm';
import { RolloutEntity } from '../entities/rollout.entity';
import { GatewayAvailabilityRepository } from '../repositories/gateway-availability.repository';
import { RoutingPoliciesService } from './routing-policies.service';

/** How recently a gateway must have confirmed its config for its availability report to count (two policy resyncs). */
const LIVE_GATEWAY_MS = 90_000;

/** What may move a rollout on its own, and what holds its canary's traffic back: node availability, gateways. */
@Injectable()
export class RolloutGuardsService {
  constructor(
    private readonly policies: RoutingPoliciesService,
    private readonly availability: GatewayAvailabilityRepository,
  ) {}

  /**
   * What a tick feeds the rollout: the end of an abort once gateways serve without the canary
   * (nothing until then), else the tick itself. Rollback triggers are not evaluated here: the
   * rollback service watches them and asks for the abort (`rollout.abort-requested`).
   */
  async tickInput(manager: EntityManager, rollout: RolloutEntity): Promise<RolloutInput | null> {
    if (rollout.state.phase === 'aborted') {
      return (await this.gatewaysServeWithoutCanary(manager, rollout)) ? { kind: 'confirmRolledBack' } : null;
    }
    return { kind: 'tick' };
  }

  /**
   * Why the canary cannot take more traffic now, when these effects would give it more: no node
   * the registry does not know as unhealthy, or a live gateway reporting it without an available
   * node (all ejected). Null when it can, or when no effect raises its weight.
   */
  async unavailableCanary(manager: EntityManager, rollout: RolloutEntity, effects: readonly RolloutEffect[]): Promise<string | null> {
    const raises = effects.some((effect) => effect.kind === 'setCanaryWeight' && effect.weight > rollout.state.canaryWeight);
    if (!raises) {
      return null;
    }
    if ((await this.policies.healthyNodeCount(manager, rollout.stack, rollout.environment, rollout.versionGroup)) === 0) {
      return 'it has no node the registry knows as healthy';
    }
    const reports = await this.availability.reportingUnavailable(manager, { stack: rollout.stack, environment: rollout.environment }, rollout.versionGroup, LIVE_GATEWAY_MS);
    if (reports.length > 0) {
      return `gateway ${reports.map((report) => `${report.gatewayId} (since ${report.reportedAt.toISOString()})`).join(', ')} reports no available node for it`;
    }
    return null;
  }

  private async gatewaysServeWithoutCanary(manager: EntityManager, rollout: RolloutEntity): Promise<boolean> {
    const { policy, gateways } = await this.policies.status(rollout.stack, rollout.environment, manager);
    const canary = policy.config.stackConfigs.find((stackConfig) => stackConfig.name === rollout.versionGroup);
    const drained = policy.config.stableConfig !== rollout.versionGroup && (canary?.weight ?? 0) === 0;
    // With no gateway known yet there is nobody to wait for.
    return drained && gateways.every((gateway) => gateway.status === 'in-sync');
  }
}
