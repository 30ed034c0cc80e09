import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Topics } from '@strata/contracts';
import { EventSubscriber } from '@strata/messaging';
import { GatewayAvailabilityRepository } from '../repositories/gateway-availability.repository';
import { PoliciesRepository } from '../repositories/policies.repository';
import { LayerAnswers } from '../services/layer-answers.service';

/** Folds each gateway's ACK (applied), NACK (rejected) and availability report into its status, as an xDS control plane does, and answers the execution steps waiting for it. */
@Injectable()
export class GatewayAcksConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly subscriber: EventSubscriber,
    private readonly policies: PoliciesRepository,
    private readonly availability: GatewayAvailabilityRepository,
    private readonly layers: LayerAnswers,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.subscriber.subscribe('gateway-acks', [Topics.routingEvents], {
      'io.strata.routing.config.applied.v1': async (event, manager) => {
        await this.policies.recordApplied(manager, event.data.stack, event.data.environment, event.data.gatewayId, event.data.version);
        await this.layers.converge(manager, event.data.stack, event.data.environment);
      },
      'io.strata.routing.config.rejected.v1': async (event, manager) => {
        await this.policies.recordRejected(manager, event.data.stack, event.data.environment, event.data.gatewayId, event.data);
        await this.layers.converge(manager, event.data.stack, event.data.environment);
      },
      'io.strata.routing.gateway.fallback.changed.v1': (event, manager) => this.availability.record(manager, event.data, new Date(event.time ?? Date.now())),
    });
  }
}
