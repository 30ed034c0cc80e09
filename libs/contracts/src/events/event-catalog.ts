import { z } from 'zod';
import { Topics, TopicName } from '../topics/topics';
import { CloudEvent } from './cloud-event';
import { kpiSamplesV1, kpiWindowV1 } from './kpi-events';
import { anomalyDetectedV1, forecastPublishedV1, proposalChangedV1, proposalObservedV1 } from './predictive-events';
import { rolloutDeclarationAnsweredV1, rolloutTransitionedV1 } from './rollout-events';
import { gatewayFallbackChangedV1, routingConfigAppliedV1, routingConfigPublishedV1, routingConfigRejectedV1, routingLayersConvergedV1 } from './routing-events';
import { executionChangedV1, rollbackActionRequestedV1, rolloutAbortRequestedV1, rolloutRequestedV1, routingLayersRequestedV1, triggerFiredV1 } from './rollback-events';
import {
  componentVersionRegisteredV1,
  deploymentDeclaredV1,
  deploymentRecordedV1,
  environmentAddedV1,
  nodeChangedV1,
  nodeHealthChangedV1,
  rollbackTriggerDeclaredV1,
  rolloutDeclaredV1,
  stackCreatedV1,
  tokenChangedV1,
  versionGroupCreatedV1,
  versionMapChangedV1,
  versionMismatchDetectedV1,
} from './registry-events';

interface EventDefinition<TSchema extends z.ZodType> {
  topic: TopicName;
  schema: TSchema;
}

function defineEvent<TSchema extends z.ZodType>(topic: TopicName, schema: TSchema): EventDefinition<TSchema> {
  return { topic, schema };
}

/**
 * Every event Strata publishes: its type, the topic it travels on and the schema of its data.
 * Producers and consumers both validate against these schemas; a message whose type is missing
 * here is dead-lettered, never guessed at.
 */
export const EventCatalog = {
  'io.strata.registry.stack.created.v1': defineEvent(Topics.registryEvents, stackCreatedV1),
  'io.strata.registry.environment.added.v1': defineEvent(Topics.registryEvents, environmentAddedV1),
  'io.strata.registry.component-version.registered.v1': defineEvent(Topics.registryEvents, componentVersionRegisteredV1),
  'io.strata.registry.version-group.created.v1': defineEvent(Topics.registryEvents, versionGroupCreatedV1),
  'io.strata.registry.deployment.recorded.v1': defineEvent(Topics.registryEvents, deploymentRecordedV1),
  'io.strata.registry.deployment.declared.v1': defineEvent(Topics.registryEvents, deploymentDeclaredV1),
  'io.strata.registry.rollback-trigger.declared.v1': defineEvent(Topics.registryEvents, rollbackTriggerDeclaredV1),
  'io.strata.registry.version-map.changed.v1': defineEvent(Topics.registryEvents, versionMapChangedV1),
  'io.strata.registry.node-health.changed.v1': defineEvent(Topics.registryEvents, nodeHealthChangedV1),
  'io.strata.registry.node.changed.v1': defineEvent(Topics.registryEvents, nodeChangedV1),
  'io.strata.registry.version-mismatch.detected.v1': defineEvent(Topics.registryEvents, versionMismatchDetectedV1),
  'io.strata.registry.rollout.declared.v1': defineEvent(Topics.registryEvents, rolloutDeclaredV1),
  'io.strata.registry.token.changed.v1': defineEvent(Topics.registryEvents, tokenChangedV1),
  'io.strata.routing.config.published.v1': defineEvent(Topics.routingEvents, routingConfigPublishedV1),
  'io.strata.routing.config.applied.v1': defineEvent(Topics.routingEvents, routingConfigAppliedV1),
  'io.strata.routing.config.rejected.v1': defineEvent(Topics.routingEvents, routingConfigRejectedV1),
  'io.strata.routing.rollout.transitioned.v1': defineEvent(Topics.routingEvents, rolloutTransitionedV1),
  'io.strata.routing.rollout.declaration-answered.v1': defineEvent(Topics.routingEvents, rolloutDeclarationAnsweredV1),
  'io.strata.routing.gateway.fallback.changed.v1': defineEvent(Topics.routingEvents, gatewayFallbackChangedV1),
  'io.strata.routing.layers.converged.v1': defineEvent(Topics.routingEvents, routingLayersConvergedV1),
  'io.strata.rollback.execution.changed.v1': defineEvent(Topics.rollbackEvents, executionChangedV1),
  'io.strata.rollback.routing.requested.v1': defineEvent(Topics.rollbackEvents, routingLayersRequestedV1),
  'io.strata.rollback.action.requested.v1': defineEvent(Topics.rollbackEvents, rollbackActionRequestedV1),
  'io.strata.rollback.rollout.requested.v1': defineEvent(Topics.rollbackEvents, rolloutRequestedV1),
  'io.strata.rollback.rollout.abort-requested.v1': defineEvent(Topics.rollbackEvents, rolloutAbortRequestedV1),
  'io.strata.rollback.trigger.fired.v1': defineEvent(Topics.rollbackEvents, triggerFiredV1),
  'io.strata.kpi.samples.v1': defineEvent(Topics.kpiSamples, kpiSamplesV1),
  'io.strata.kpi.window.v1': defineEvent(Topics.kpiWindows, kpiWindowV1),
  'io.strata.anomaly.detected.v1': defineEvent(Topics.anomalies, anomalyDetectedV1),
  'io.strata.forecast.published.v1': defineEvent(Topics.forecasts, forecastPublishedV1),
  'io.strata.staging.proposal.changed.v1': defineEvent(Topics.stagingEvents, proposalChangedV1),
  'io.strata.staging.proposal.observed.v1': defineEvent(Topics.stagingEvents, proposalObservedV1),
} as const;

export type EventType = keyof typeof EventCatalog;
export type EventData<TType extends EventType> = z.infer<(typeof EventCatalog)[TType]['schema']>;
export type StrataEvent<TType extends EventType = EventType> = CloudEvent<TType, EventData<TType>>;

export function isKnownEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(EventCatalog, type);
}

export function topicOfEvent(type: EventType): TopicName {
  return EventCatalog[type].topic;
}
