import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Topics } from '@strata/contracts';
import { EventSubscriber } from '@strata/messaging';
import { DeployedGroupsRepository } from '../repositories/deployed-groups.repository';
import { RolloutsService } from '../services/rollouts.service';

/** Learns which version groups exist and where they are deployed, and runs the Rollouts the registry stored. */
@Injectable()
export class RegistryProjectionConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly subscriber: EventSubscriber,
    private readonly groups: DeployedGroupsRepository,
    private readonly rollouts: RolloutsService,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.subscriber.subscribe('deployed-groups', [Topics.registryEvents], {
      'io.strata.registry.version-group.created.v1': (event, manager) => this.groups.recordGroup(manager, event.data.stack, event.data.versionGroup, event.data.members),
      'io.strata.registry.deployment.recorded.v1': (event, manager) =>
        this.groups.recordDeployment(manager, { stack: event.data.stack, environment: event.data.environment, location: event.data.location, versionGroup: event.data.versionGroup }, new Date(event.time ?? Date.now())),
      'io.strata.registry.rollout.declared.v1': async (event, manager) => {
        await this.rollouts.create({ stack: event.data.stack, name: event.data.rollout, spec: event.data.spec, checksum: event.data.checksum }, event.data.actor, manager);
      },
    });
  }
}
