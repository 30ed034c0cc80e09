import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Topics } from '@strata/contracts';
import { DomainError, DomainViolation } from '@strata/domain';
import { EventSubscriber } from '@strata/messaging';
import { EntityManager } from 'typeorm';
import { GatewayAvailabilityRepository } from '../repositories/gateway-availability.repository';
import { KnownStacksRepository } from '../repositories/known-stacks.repository';
import { PoliciesRepository } from '../repositories/policies.repository';
import { LayerAnswers } from '../services/layer-answers.service';

/** What an ACK or a NACK answers: one published version of one stack and environment's policy. */
interface GatewayAnswer {
  stack: string;
  environment: string;
  version: number;
}

/** Folds each gateway's ACK (applied), NACK (rejected) and availability report into its status, as an xDS control plane does, and answers the execution steps waiting for it. */
@Injectable()
export class GatewayAcksConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly subscriber: EventSubscriber,
    private readonly policies: PoliciesRepository,
    private readonly knownStacks: KnownStacksRepository,
    private readonly availability: GatewayAvailabilityRepository,
    private readonly layers: LayerAnswers,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.subscriber.subscribe('gateway-acks', [Topics.routingEvents], {
      'io.strata.routing.config.applied.v1': async (event, manager) => {
        await this.assertPublished(manager, event.data);
        await this.policies.recordApplied(manager, event.data.stack, event.data.environment, event.data.gatewayId, event.data.version);
        await this.layers.converge(manager, event.data.stack, event.data.environment);
      },
      'io.strata.routing.config.rejected.v1': async (event, manager) => {
        await this.assertPublished(manager, event.data);
        await this.policies.recordRejected(manager, event.data.stack, event.data.environment, event.data.gatewayId, event.data);
        await this.layers.converge(manager, event.data.stack, event.data.environment);
      },
      'io.strata.routing.gateway.fallback.changed.v1': (event, manager) => this.availability.record(manager, event.data, new Date(event.time ?? Date.now())),
    });
  }

  /**
   * A gateway answers only a version it read from `config.published`, whose policy row committed
   * before the event left the outbox: an answer naming a stack, environment or version with no
   * policy is no gateway's, and no wait makes it valid. Recorded, it would count the gateway as
   * serving every version up to it (its status only moves forward) and settle steps it never
   * applied; refused as invalid, it is dead-lettered naming the field. A gateway never heard of is
   * normal (a new one's first ACK), as is an old version (a redelivery): both are recorded.
   */
  private async assertPublished(manager: EntityManager, answer: GatewayAnswer): Promise<void> {
    if (await this.policies.find(manager, answer.stack, answer.environment, answer.version)) return;
    const violation = await this.unpublished(manager, answer);
    throw DomainError.invalid(`a gateway's answer names no published routing policy: ${violation.field} ${violation.message}`, [violation]);
  }

  private async unpublished(manager: EntityManager, { stack, environment, version }: GatewayAnswer): Promise<DomainViolation> {
    const current = await this.policies.current(manager, stack, environment);
    if (current) {
      return { field: 'data.version', message: `${version} is not a version of the routing policy of ${stack}/${environment} (the newest is ${current.version})` };
    }
    if (!(await this.knownStacks.find(manager, stack))) {
      return { field: 'data.stack', message: `'${stack}' is not a known stack` };
    }
    return { field: 'data.environment', message: `no routing policy of stack '${stack}' for environment '${environment}' was ever published` };
  }
}
