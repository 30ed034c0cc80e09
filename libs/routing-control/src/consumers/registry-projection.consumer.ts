import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { EventData, RolloutDeclarationRefusal, StrataEvent, Topics } from '@strata/contracts';
import { DomainErrorCode, isDomainError } from '@strata/domain';
import { EventOutbox, EventSubscriber } from '@strata/messaging';
import { EntityManager } from 'typeorm';
import { DeployedGroupsRepository } from '../repositories/deployed-groups.repository';
import { RolloutsService } from '../services/rollouts.service';

/**
 * A declaration routing-control refuses for good: it fails the same way until someone changes the
 * manifest or the state it depends on (deploys the group, writes a policy, ends the active
 * rollout), so it is answered, not retried. `unavailable` is transient: rethrown and retried.
 */
const REFUSALS: Record<DomainErrorCode, RolloutDeclarationRefusal | undefined> = {
  [DomainErrorCode.InvalidInput]: 'invalid',
  [DomainErrorCode.Conflict]: 'conflict',
  [DomainErrorCode.AlreadyExists]: 'conflict',
  [DomainErrorCode.PreconditionFailed]: 'precondition-failed',
  [DomainErrorCode.NotFound]: 'not-found',
  [DomainErrorCode.NotYetKnown]: 'not-found',
  [DomainErrorCode.Unavailable]: undefined,
  // Events carry no credentials: neither code can come out of a consumer.
  [DomainErrorCode.Unauthenticated]: undefined,
  [DomainErrorCode.Forbidden]: undefined,
};

const MAX_REASON = 2_000;
const MAX_VIOLATIONS = 200;

/** Learns which version groups exist and where they are deployed, and runs the Rollouts the registry stored. */
@Injectable()
export class RegistryProjectionConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly subscriber: EventSubscriber,
    private readonly groups: DeployedGroupsRepository,
    private readonly rollouts: RolloutsService,
    private readonly events: EventOutbox,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.subscriber.subscribe('deployed-groups', [Topics.registryEvents], {
      'io.strata.registry.version-group.created.v1': (event, manager) => this.groups.recordGroup(manager, event.data.stack, event.data.versionGroup, event.data.members),
      'io.strata.registry.deployment.recorded.v1': (event, manager) =>
        this.groups.recordDeployment(manager, { stack: event.data.stack, environment: event.data.environment, location: event.data.location, versionGroup: event.data.versionGroup }, new Date(event.time ?? Date.now())),
      'io.strata.registry.rollout.declared.v1': (event, manager) => this.answerDeclaration(event, manager),
    });
  }

  /**
   * Starts the declared rollout and answers the registry either way, in the inbox's transaction:
   * `started` with the rollout, or `refused` with the reason, so a manifest's author learns it.
   */
  private async answerDeclaration(event: StrataEvent<'io.strata.registry.rollout.declared.v1'>, manager: EntityManager): Promise<void> {
    const { stack, rollout: name, spec, checksum, actor } = event.data;
    const key = { stack, rollout: name, checksum };
    try {
      // A savepoint: a refusal after some writes (or a unique violation, which aborts the
      // transaction) leaves nothing behind, and the answer is still written.
      const rollout = await manager.transaction((savepoint) => this.rollouts.create({ stack, name, spec, checksum }, actor, savepoint));
      await this.answer(manager, stack, { ...key, outcome: 'started', rolloutId: rollout.id, phase: rollout.state.phase });
    } catch (error) {
      const refusal = isDomainError(error) ? REFUSALS[error.code] : undefined;
      if (!isDomainError(error) || refusal === undefined) {
        throw error;
      }
      await this.answer(manager, stack, {
        ...key,
        outcome: 'refused',
        refusal,
        reason: error.message.slice(0, MAX_REASON),
        violations: error.violations.slice(0, MAX_VIOLATIONS).map((violation) => ({ field: violation.field.slice(0, 500), message: violation.message.slice(0, MAX_REASON) })),
      });
    }
  }

  private answer(manager: EntityManager, stack: string, data: EventData<'io.strata.routing.rollout.declaration-answered.v1'>): Promise<void> {
    return this.events.record(manager, this.events.create('io.strata.routing.rollout.declaration-answered.v1', stack, data));
  }
}
