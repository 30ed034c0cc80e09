import { DatabaseConfig } from '@strata/config';
import { createServiceDataSource } from '@strata/persistence';
import { DataSource } from 'typeorm';
import { DiscoveredNodeEntity, PolicyDiscoveredStackConfigsEntity } from '../entities/discovered-node.entity';
import { GatewayAvailabilityEntity } from '../entities/gateway-availability.entity';
import { KnownStackEntity } from '../entities/known-stack.entity';
import { TrafficRuleEntity } from '../entities/traffic-rule.entity';
import { GroupDeploymentEntity, KpiWindowEntity, VersionGroupProjectionEntity } from '../entities/routing-projections.entity';
import { GatewayStatusEntity, RoutingPolicyEntity } from '../entities/routing-policy.entity';
import { RolloutEntity, RolloutTransitionEntity } from '../entities/rollout.entity';
import { InitialRoutingControl1764201600000 } from './migrations/1764201600000-initial-routing-control';
import { PoliciesAndRollouts1764288000000 } from './migrations/1764288000000-policies-and-rollouts';
import { RolloutAnalysisAndTriggers1765000000000 } from './migrations/1765000000000-rollout-analysis-and-triggers';
import { DiscoveredNodes1765152000000 } from './migrations/1765152000000-discovered-nodes';
import { AuditLogAndKnownTokens1765411200000 } from './migrations/1765411200000-audit-log-and-known-tokens';
import { RoutingLayers1765500000000 } from './migrations/1765500000000-routing-layers';
import { TrafficRules1765600000000 } from './migrations/1765600000000-traffic-rules';
import { TransitionJudgedMetrics1765700000000 } from './migrations/1765700000000-transition-judged-metrics';
import { LayerRequestEntity, RoutingLayersEntity } from '../entities/routing-layers.entity';
import { ROUTING_CONTROL_SCHEMA } from './routing-control-schema';

export function createRoutingControlDataSource(database: DatabaseConfig): DataSource {
  return createServiceDataSource({
    schema: ROUTING_CONTROL_SCHEMA,
    url: database.url,
    poolSize: database.poolSize,
    entities: [KnownStackEntity, VersionGroupProjectionEntity, GroupDeploymentEntity, KpiWindowEntity, RoutingPolicyEntity, GatewayStatusEntity, RolloutEntity, RolloutTransitionEntity, TrafficRuleEntity, GatewayAvailabilityEntity, DiscoveredNodeEntity, PolicyDiscoveredStackConfigsEntity, RoutingLayersEntity, LayerRequestEntity],
    migrations: [InitialRoutingControl1764201600000, PoliciesAndRollouts1764288000000, RolloutAnalysisAndTriggers1765000000000, DiscoveredNodes1765152000000, AuditLogAndKnownTokens1765411200000, RoutingLayers1765500000000, TrafficRules1765600000000, TransitionJudgedMetrics1765700000000],
  });
}
