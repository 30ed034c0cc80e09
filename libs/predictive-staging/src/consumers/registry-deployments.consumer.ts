import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Topics } from '@strata/contracts';
import { EventSubscriber } from '@strata/messaging';
import { DeploymentsRepository } from '../repositories/deployments.repository';

/**
 * What app-version proposals need from the registry, learnt from its events (never its tables):
 * each component's type, to know which anomalies are of an app (and a database's target variable, for
 * index advice), and every version group deployed to
 * an environment, by location: production's to know what runs and what ran before, staging's to know
 * which newer versions ran there.
 */
@Injectable()
export class RegistryDeploymentsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly subscriber: EventSubscriber,
    private readonly deployments: DeploymentsRepository,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.subscriber.subscribe('staging-deployments', [Topics.registryEvents], {
      'io.strata.registry.component-version.registered.v1': (event, manager) => {
        const databaseUrlFrom = event.data.definition?.target['databaseUrlFrom'];
        return this.deployments.recordComponentType(manager, event.data.stack, event.data.component, event.data.type, typeof databaseUrlFrom === 'string' ? databaseUrlFrom : null);
      },
      'io.strata.registry.deployment.recorded.v1': async (event, manager) => {
        const { stack, environment, location, versionGroup, members } = event.data;
        await this.deployments.recordDeployment(manager, { stack, environment, location, versionGroup, members, deployedAt: Date.parse(event.time) });
      },
    });
  }
}
