import { Injectable } from '@nestjs/common';
import { RolloutRequestedV1 } from '@strata/contracts';
import { isDomainError } from '@strata/domain';
import { EntityManager } from 'typeorm';
import { RoutingLayersRepository } from '../repositories/routing-layers.repository';
import { LayerAnswers } from './layer-answers.service';
import { RolloutsService } from './rollouts.service';
import { LAYERS_ACTOR } from './routing-layers.service';

/** Canary rollouts an execution asks for (a deploy's traffic step with a canary). */
@Injectable()
export class ExecutionRollouts {
  constructor(
    private readonly layers: RoutingLayersRepository,
    private readonly rollouts: RolloutsService,
    private readonly answers: LayerAnswers,
  ) {}

  /**
   * The canary rollout of a deploy's traffic step: started, its outcome then told by its
   * transitions; a refusal (spec, group, another active rollout) answered as a rejected request.
   */
  async startRollout(manager: EntityManager, request: RolloutRequestedV1): Promise<void> {
    if (await this.layers.request(manager, request.requestId)) {
      return;
    }
    try {
      const rollout = await manager.transaction((savepoint) => this.rollouts.create({ stack: request.stack, name: request.rollout, spec: request.spec }, LAYERS_ACTOR, savepoint));
      await this.answers.answer(manager, request, null, 'applied', 0, `rollout ${rollout.name} (${rollout.id}) started`);
    } catch (error) {
      if (!isDomainError(error)) throw error;
      const violations = error.violations.length > 0 ? `: ${error.violations.map((violation) => `${violation.field}: ${violation.message}`).join('; ')}` : '';
      await this.answers.answer(manager, request, null, 'rejected', 0, `routing-control refused the canary rollout: ${error.message}${violations}`);
    }
  }
}
