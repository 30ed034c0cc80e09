import { Injectable } from '@nestjs/common';
import { RoutingLayersRequestedV1 } from '@strata/contracts';
import { DomainError, DomainErrorCode, LbRuleSpec, NetworkPolicySpec, RoutingLayers, compileRoutingLayers, isDomainError } from '@strata/domain';
import { EntityManager } from 'typeorm';
import { DeployedGroupsRepository } from '../repositories/deployed-groups.repository';
import { KnownStacksRepository } from '../repositories/known-stacks.repository';
import { PoliciesRepository } from '../repositories/policies.repository';
import { RoutingLayersRepository } from '../repositories/routing-layers.repository';
import { RoutingPoliciesService } from './routing-policies.service';
import { LayerAnswers } from './layer-answers.service';

export const LAYERS_ACTOR = 'rollback';

/**
 * The routing policy derived from what executions deployed: each request of an execution step
 * moves one layer (traffic group, lb-rule, network policy), the policy is compiled from the layers
 * plus the operator's settings and published, and the step is answered once every live gateway
 * ACKs that version, or as soon as one NACKs it. A request id seen before is answered as before.
 */
@Injectable()
export class RoutingLayersService {
  constructor(
    private readonly layers: RoutingLayersRepository,
    private readonly policies: PoliciesRepository,
    private readonly groups: DeployedGroupsRepository,
    private readonly knownStacks: KnownStacksRepository,
    private readonly routingPolicies: RoutingPoliciesService,
    private readonly answers: LayerAnswers,
  ) {}

  async request(manager: EntityManager, request: RoutingLayersRequestedV1): Promise<void> {
    const { requestId, stack, environment } = request;
    if (await this.layers.request(manager, requestId)) {
      return; // a redelivery: this step already has its policy version (and its answer, or one to come)
    }
    if (request.notAfter !== undefined && Date.now() > request.notAfter) {
      return this.answers.answer(manager, request, null, 'rejected', 0, `arrived ${Date.now() - request.notAfter} ms after its deadline (${new Date(request.notAfter).toISOString()}): the step that asked no longer waits for it, so nothing was changed`);
    }
    await this.awaitCatalog(manager, stack, environment, [request.traffic?.versionGroup, request.canary?.versionGroup]);
    await this.policies.lock(manager, stack, environment);
    const next = moved(await this.layers.layers(manager, stack, environment), request);
    const found = await this.policies.current(manager, stack, environment);
    const current = found ? (await this.policies.withDiscovery(manager, found)).config : null;
    const compiled = compileRoutingLayers(next, current);
    if (compiled === null) {
      await this.layers.saveLayers(manager, stack, environment, next);
      return this.answers.answer(manager, request, null, 'applied', 0, 'recorded: no version group takes traffic here yet, so the routing policy takes this layer with the traffic step');
    }
    if (!compiled.ok) {
      return this.answers.answer(manager, request, null, 'rejected', 0, `the deployed layers do not compile into a routing policy: ${compiled.violations.map((violation) => `${violation.field}: ${violation.message}`).join('; ')}`);
    }
    for (const group of [next.traffic, next.canary]) {
      // The execution deployed the group: routing-control need not wait for the registry to say so.
      if (group) await this.groups.recordDeployment(manager, { stack, environment, location: 'production', versionGroup: group.versionGroup }, new Date());
    }
    try {
      await manager.query('SAVEPOINT layers_publish');
      const published = await this.routingPolicies.publishDerived(manager, stack, environment, compiled.policy, compiled.sources, request.reason, LAYERS_ACTOR);
      await this.layers.saveLayers(manager, stack, environment, next);
      await this.layers.saveRequest(manager, { requestId, stack, environment, policyVersion: published.version, status: 'pending', reason: `policy version ${published.version} published` });
    } catch (error) {
      if (!isDomainError(error)) throw error;
      await manager.query('ROLLBACK TO SAVEPOINT layers_publish');
      const violations = error.violations.length > 0 ? `: ${error.violations.map((violation) => `${violation.field}: ${violation.message}`).join('; ')}` : '';
      return this.answers.answer(manager, request, null, 'rejected', 0, `${error.message}${violations}`);
    }
    await this.answers.converge(manager, stack, environment);
  }

  /**
   * The rollback service learnt the stack from the registry; routing-control may not have yet (the
   * two read different topics): a transient failure, retried until the registry's event arrives.
   */
  private async awaitCatalog(manager: EntityManager, stack: string, environment: string, groups: readonly (string | undefined)[]): Promise<void> {
    const known = await this.knownStacks.find(manager, stack);
    if (!known?.environments.some((candidate) => candidate.name === environment)) {
      throw new DomainError(DomainErrorCode.Unavailable, `routing-control does not know ${stack}/${environment} yet; the registry's event is on its way`);
    }
    const names = groups.filter((group): group is string => group !== undefined);
    const knownGroups = await this.groups.knownGroups(manager, stack, names);
    const missing = names.filter((name) => !knownGroups.has(name));
    if (missing.length > 0) {
      throw new DomainError(DomainErrorCode.Unavailable, `routing-control does not know version group ${missing.join(', ')} of ${stack} yet; the registry's event is on its way`);
    }
  }
}

/** The layers after the request: absent keys stay, null removes; moving the traffic ends a canary unless the request names one. */
function moved(layers: RoutingLayers, request: RoutingLayersRequestedV1): RoutingLayers {
  return {
    traffic: request.traffic ?? layers.traffic,
    canary: request.canary ?? (request.traffic ? null : (layers.canary ?? null)),
    lbRule: request.lbRule === undefined ? layers.lbRule : request.lbRule === null ? null : { ...request.lbRule, spec: request.lbRule.spec as unknown as LbRuleSpec },
    networkPolicy: request.networkPolicy === undefined ? layers.networkPolicy : request.networkPolicy === null ? null : { ...request.networkPolicy, spec: request.networkPolicy.spec as unknown as NetworkPolicySpec },
  };
}
