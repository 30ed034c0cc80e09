import { DynamicModule, Module } from '@nestjs/common';
import { ServiceModuleOptions } from '@strata/config';
import { serviceInfrastructure } from '@strata/messaging';
import { GatewayAcksConsumer } from './consumers/gateway-acks.consumer';
import { KpiWindowsConsumer } from './consumers/kpi-windows.consumer';
import { NodeProjectionConsumer } from './consumers/node-projection.consumer';
import { RegistryProjectionConsumer } from './consumers/registry-projection.consumer';
import { RolloutAbortsConsumer } from './consumers/rollout-aborts.consumer';
import { RoutingLayersConsumer } from './consumers/routing-layers.consumer';
import { RoutingLayersRepository } from './repositories/routing-layers.repository';
import { RoutingLayersService } from './services/routing-layers.service';
import { LayerAnswers } from './services/layer-answers.service';
import { ExecutionRollouts } from './services/execution-rollouts.service';
import { StackCatalogConsumer } from './consumers/stack-catalog.consumer';
import { TrafficRulesController } from './controllers/traffic-rules.controller';
import { RoutingPoliciesController } from './controllers/routing-policies.controller';
import { RolloutsController } from './controllers/rollouts.controller';
import { createRoutingControlDataSource } from './database/data-source';
import { ROUTING_CONTROL_SCHEMA, ROUTING_CONTROL_SERVICE } from './database/routing-control-schema';
import { DeployedGroupsRepository } from './repositories/deployed-groups.repository';
import { GatewayAvailabilityRepository } from './repositories/gateway-availability.repository';
import { KnownStacksRepository } from './repositories/known-stacks.repository';
import { TrafficRulesRepository } from './repositories/traffic-rules.repository';
import { KpiWindowsRepository } from './repositories/kpi-windows.repository';
import { NodesRepository } from './repositories/nodes.repository';
import { PoliciesRepository } from './repositories/policies.repository';
import { RolloutsRepository } from './repositories/rollouts.repository';
import { RoutingTransactions } from './repositories/transactions';
import { TrafficRulesService } from './services/traffic-rules.service';
import { DEFAULT_ROUTING_CONTROL_TUNING, ROUTING_CONTROL_TUNING, RoutingControlTuning } from './config/routing-control-tuning';
import { PolicyResync } from './services/policy-resync.service';
import { RolloutTicker } from './services/rollout-ticker.service';
import { RolloutAnalysisService } from './services/rollout-analysis.service';
import { RolloutEngine } from './services/rollout-engine.service';
import { RolloutGuardsService } from './services/rollout-guards.service';
import { RolloutsService } from './services/rollouts.service';
import { RoutingPoliciesService } from './services/routing-policies.service';

/** routing-control: routing policies pushed to gateways with ACK/NACK status, canary rollouts and traffic rules. */
const CONTROLLERS = [RoutingPoliciesController, RolloutsController, TrafficRulesController];

@Module({})
export class RoutingControlModule {
  static register(options: ServiceModuleOptions, tuning: Partial<RoutingControlTuning> = {}): DynamicModule {
    return {
      module: RoutingControlModule,
      imports: serviceInfrastructure({
        service: ROUTING_CONTROL_SERVICE,
        schema: ROUTING_CONTROL_SCHEMA,
        dataSource: createRoutingControlDataSource(options.database),
        outbox: options.outbox,
        controllers: CONTROLLERS,
        projectTokens: true,
      }),
      controllers: CONTROLLERS,
      providers: [
        { provide: ROUTING_CONTROL_TUNING, useValue: { ...DEFAULT_ROUTING_CONTROL_TUNING, ...tuning } },
        RoutingTransactions,
        KnownStacksRepository,
        DeployedGroupsRepository,
        PoliciesRepository,
        RolloutsRepository,
        KpiWindowsRepository,
        TrafficRulesRepository,
        GatewayAvailabilityRepository,
        NodesRepository,
        RoutingLayersRepository,
        RoutingPoliciesService,
        RoutingLayersService,
        LayerAnswers,
        ExecutionRollouts,
        RolloutsService,
        RolloutEngine,
        RolloutGuardsService,
        RolloutAnalysisService,
        RolloutTicker,
        PolicyResync,
        TrafficRulesService,
        StackCatalogConsumer,
        RegistryProjectionConsumer,
        GatewayAcksConsumer,
        KpiWindowsConsumer,
        NodeProjectionConsumer,
        RoutingLayersConsumer,
        RolloutAbortsConsumer,
      ],
    };
  }
}
