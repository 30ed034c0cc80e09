import { z } from 'zod';

const stackName = z.string().min(1).max(63);
const environmentName = z.string().min(1).max(63);
/** Monotonically increasing per stack and environment; a gateway never goes back to a lower one. */
const configVersion = z.number().int().positive();

/**
 * routing-control → every gateway: the routing config to apply. `config` is checked field by field
 * by the domain's `resolvedRoutingPolicyViolations` (contracts depend on nothing), and a gateway answers
 * with exactly one of the two events below, as Envoy's xDS ACK/NACK.
 */
export const routingConfigPublishedV1 = z.object({
  stack: stackName,
  environment: environmentName,
  version: configVersion,
  config: z.record(z.string(), z.unknown()),
});
export type RoutingConfigPublishedV1 = z.infer<typeof routingConfigPublishedV1>;

/** ACK: the gateway serves this version now (and has persisted it as its last-known-good). */
export const routingConfigAppliedV1 = z.object({
  stack: stackName,
  environment: environmentName,
  version: configVersion,
  gatewayId: z.string().min(1),
});
export type RoutingConfigAppliedV1 = z.infer<typeof routingConfigAppliedV1>;

/** NACK: the gateway refused this version and keeps serving `keptVersion` (null: none yet). */
export const routingConfigRejectedV1 = z.object({
  stack: stackName,
  environment: environmentName,
  version: configVersion,
  gatewayId: z.string().min(1),
  reason: z.string().min(1),
  violations: z.array(z.object({ field: z.string(), message: z.string() })),
  keptVersion: configVersion.nullable(),
});
export type RoutingConfigRejectedV1 = z.infer<typeof routingConfigRejectedV1>;

const stackConfigName = z.string().min(1).max(200);
const routingMode = z.enum(['normal', 'fallback', 'panic']);

/**
 * A gateway's routing mode for its stack, or the set of its stack configs without an available
 * node, changed (published on transitions only, never per request). fallback: no stack config with a weight has an available (healthy, not ejected) node,
 * so configs of weight 0 that have one serve (the stable config first). panic: no config has an
 * available node, so the configs with a weight serve on all their nodes, ejected ones included.
 * normal: a config with a weight has an available node again.
 */
export const gatewayFallbackChangedV1 = z.object({
  stack: stackName,
  environment: environmentName,
  gatewayId: z.string().min(1),
  /** The routing config version being served. */
  version: configVersion,
  mode: routingMode,
  previousMode: routingMode,
  /** The stack configs without an available node. */
  unavailableConfigs: z.array(stackConfigName),
  /** The stack configs the weighted pick now sends traffic to. */
  servingConfigs: z.array(stackConfigName),
  reason: z.string().min(1).max(2_000),
});
export type GatewayFallbackChangedV1 = z.infer<typeof gatewayFallbackChangedV1>;

/**
 * routing-control → rollback: the answer to `io.strata.rollback.routing.requested.v1`. `applied`:
 * every live gateway serves `version` (none live counts, with `gateways: 0`); `rejected`: a gateway
 * NACKed it, or the layers could not be compiled into a valid policy (`version` null then).
 */
export const routingLayersConvergedV1 = z.object({
  requestId: z.string().min(1).max(500),
  stack: stackName,
  environment: environmentName,
  version: configVersion.nullable(),
  outcome: z.enum(['applied', 'rejected']),
  gateways: z.number().int().nonnegative(),
  reason: z.string().min(1).max(4_000),
});
export type RoutingLayersConvergedV1 = z.infer<typeof routingLayersConvergedV1>;
