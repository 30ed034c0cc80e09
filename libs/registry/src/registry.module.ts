import { DynamicModule, Module } from '@nestjs/common';
import { ServiceModuleOptions } from '@strata/config';
import { serviceInfrastructure } from '@strata/messaging';
import { createComponentTypeRegistry, ComponentTypeRegistry } from '@strata/domain';
import { RolloutOutcomesConsumer } from './consumers/rollout-outcomes.consumer';
import { DeployedGroupsConsumer } from './consumers/deployed-groups.consumer';
import { ExecutionsConsumer } from './consumers/executions.consumer';
import { ExecutionVersionMapService } from './services/execution-version-map.service';
import { ApplyController } from './controllers/apply.controller';
import { ComponentsController } from './controllers/components.controller';
import { NodesController } from './controllers/nodes.controller';
import { StacksController } from './controllers/stacks.controller';
import { TokensController } from './controllers/tokens.controller';
import { VersionGroupsController } from './controllers/version-groups.controller';
import { VersionMapController } from './controllers/version-map.controller';
import { createRegistryDataSource } from './database/data-source';
import { REGISTRY_SCHEMA, REGISTRY_SERVICE } from './database/registry-schema';
import { ComponentsRepository } from './repositories/components.repository';
import { RolloutsRepository } from './repositories/rollouts.repository';
import { StacksRepository } from './repositories/stacks.repository';
import { TokensRepository } from './repositories/tokens.repository';
import { RegistryTransactions } from './repositories/transactions';
import { NodesRepository } from './repositories/nodes.repository';
import { VersionGroupsRepository } from './repositories/version-groups.repository';
import { VersionMapRepository } from './repositories/version-map.repository';
import { VersionMapService } from './services/version-map.service';
import { HealthChecksService } from './services/health-checks.service';
import { NodesService } from './services/nodes.service';
import { VersionGroupsService } from './services/version-groups.service';
import { ApplyService } from './services/apply.service';
import { ComponentManifestKind } from './services/manifest-kinds/component.manifest-kind';
import { ComponentVersionManifestKind } from './services/manifest-kinds/component-version.manifest-kind';
import { MANIFEST_KIND_HANDLERS, ManifestKindHandler, ManifestKinds } from './services/manifest-kinds/manifest-kind';
import { RolloutManifestKind } from './services/manifest-kinds/rollout.manifest-kind';
import { DeploymentManifestKind } from './services/manifest-kinds/deployment.manifest-kind';
import { RollbackTriggerManifestKind } from './services/manifest-kinds/rollback-trigger.manifest-kind';
import { StackManifestKind } from './services/manifest-kinds/stack.manifest-kind';
import { VersionGroupManifestKind } from './services/manifest-kinds/version-group.manifest-kind';
import { ComponentsService } from './services/components.service';
import { StacksService } from './services/stacks.service';
import { TokensService } from './services/tokens.service';

/** The kinds `POST /v1/apply` understands: a new kind is a new handler listed here. */
const MANIFEST_KIND_CLASSES = [StackManifestKind, ComponentManifestKind, ComponentVersionManifestKind, VersionGroupManifestKind, RolloutManifestKind, DeploymentManifestKind, RollbackTriggerManifestKind];

/** The registry: stacks, components and their versions, version groups, the version map, nodes, manifests and tokens. */
const CONTROLLERS = [StacksController, ComponentsController, VersionGroupsController, VersionMapController, NodesController, ApplyController, TokensController];

@Module({})
export class RegistryModule {
  static register(options: ServiceModuleOptions): DynamicModule {
    return {
      module: RegistryModule,
      imports: serviceInfrastructure({
        service: REGISTRY_SERVICE,
        schema: REGISTRY_SCHEMA,
        dataSource: createRegistryDataSource(options.database),
        outbox: options.outbox,
        controllers: CONTROLLERS,
        projectTokens: false,
      }),
      controllers: CONTROLLERS,
      providers: [
        { provide: ComponentTypeRegistry, useFactory: () => createComponentTypeRegistry() },
        RegistryTransactions,
        StacksService,
        StacksRepository,
        ComponentsService,
        ComponentsRepository,
        VersionGroupsService,
        VersionGroupsRepository,
        VersionMapService,
        ExecutionVersionMapService,
        VersionMapRepository,
        NodesService,
        NodesRepository,
        ...MANIFEST_KIND_CLASSES,
        { provide: MANIFEST_KIND_HANDLERS, useFactory: (...handlers: ManifestKindHandler[]) => new ManifestKinds(handlers), inject: MANIFEST_KIND_CLASSES },
        ApplyService,
        RolloutsRepository,
        RolloutOutcomesConsumer,
        HealthChecksService,
        DeployedGroupsConsumer,
        ExecutionsConsumer,
        TokensRepository,
        TokensService,
      ],
      exports: [TokensService],
    };
  }
}
