import { z } from 'zod';

/** A name or version: the API holds them to 63 (names) and 256 (versions) characters; an event never carries more. */
const identifier = z.string().min(1).max(256);

const environmentSchema = z.object({
  name: identifier,
  mirrors: z.string().min(1).optional(),
});

export const stackCreatedV1 = z.object({
  stack: identifier,
  environments: z.array(environmentSchema).min(1),
});
export type StackCreatedV1 = z.infer<typeof stackCreatedV1>;

export const environmentAddedV1 = z.object({
  stack: identifier,
  environment: environmentSchema,
});
export type EnvironmentAddedV1 = z.infer<typeof environmentAddedV1>;

export const componentVersionRegisteredV1 = z.object({
  stack: identifier,
  component: identifier,
  type: z.string().min(1),
  version: identifier,
  checksum: z.string().min(1),
  dependencies: z.array(z.object({ component: identifier, range: z.string().min(1) })),
  breakingOverride: z.object({ reason: z.string(), actor: z.string(), breaks: z.array(z.string()) }).optional(),
  /**
   * What an execution needs to apply and roll back the version (the rollback service keeps it):
   * its config, type-specific spec, rollback actions, health check and the component's target.
   * Absent from older producers.
   */
  definition: z
    .object({
      config: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
      spec: z.unknown(),
      rollback: z.array(z.record(z.string(), z.unknown())),
      healthCheck: z.record(z.string(), z.unknown()).nullable(),
      target: z.record(z.string(), z.unknown()),
    })
    .optional(),
});
export type ComponentVersionRegisteredV1 = z.infer<typeof componentVersionRegisteredV1>;

const memberSchema = z.object({ component: identifier, version: z.string().min(1) });

export const versionGroupCreatedV1 = z.object({
  stack: identifier,
  versionGroup: identifier,
  environment: identifier,
  members: z.array(memberSchema).min(1),
});
export type VersionGroupCreatedV1 = z.infer<typeof versionGroupCreatedV1>;

const location = z.enum(['staging', 'production']);
const deploymentStatus = z.enum(['deploying', 'deployed', 'healthy', 'degraded', 'failed', 'rolled-back']);

export const deploymentRecordedV1 = z.object({
  stack: identifier,
  environment: identifier,
  location,
  versionGroup: identifier,
  members: z.array(memberSchema).min(1),
  actor: z.string().min(1),
  /** The execution of the rollback service that deployed it; absent when another tool did and it was only recorded. */
  executionId: z.string().uuid().optional(),
});
export type DeploymentRecordedV1 = z.infer<typeof deploymentRecordedV1>;

export const versionMapChangedV1 = z.object({
  stack: identifier,
  environment: identifier,
  location,
  component: identifier,
  fromVersion: z.string().nullable(),
  toVersion: z.string().min(1),
  fromStatus: deploymentStatus.nullable(),
  toStatus: deploymentStatus,
  actor: z.string().min(1),
});
export type VersionMapChangedV1 = z.infer<typeof versionMapChangedV1>;

export const nodeHealthChangedV1 = z.object({
  stack: identifier,
  environment: identifier,
  location,
  component: identifier,
  address: z.string().min(1),
  from: z.enum(['healthy', 'unhealthy', 'unknown']).nullable(),
  to: z.enum(['healthy', 'unhealthy', 'unknown']),
  reason: z.string(),
});
export type NodeHealthChangedV1 = z.infer<typeof nodeHealthChangedV1>;

export const versionMismatchDetectedV1 = z.object({
  stack: identifier,
  environment: identifier,
  location,
  component: identifier,
  address: z.string().min(1),
  declaredVersion: z.string().min(1),
  discoveredVersion: z.string().min(1),
  source: z.enum(['heartbeat', 'health-check', 'response-header']),
  /**
   * Every version of the component the version map expects there: one per version group deployed
   * to the location (a stable and a canary group during a rollout). Absent from older producers.
   */
  expectedVersions: z.array(z.string().min(1)).optional(),
});
export type VersionMismatchDetectedV1 = z.infer<typeof versionMismatchDetectedV1>;

const nodeHealth = z.enum(['healthy', 'unhealthy', 'unknown']);

/**
 * registry → anyone: the state of one node as the registry knows it now (a snapshot, not a delta).
 * Emitted when a node registers (first heartbeat), when its url, discovered version or health
 * changes, and again every few minutes while it keeps reporting, so a consumer that lost its
 * projection rebuilds it. Apply a snapshot only if its `observedAt` is not older than the one held.
 */
export const nodeChangedV1 = z.object({
  stack: identifier,
  environment: identifier,
  location,
  component: identifier,
  /** host:port; unique per stack, environment, location and component. */
  address: z.string().min(1).max(255),
  /** The origin to send requests to: the heartbeat's `url`, else `http://<address>`. */
  url: z.string().min(1).max(2048),
  /** The version the node reports running (heartbeat, health check); null until one is known. */
  discoveredVersion: z.string().min(1).nullable(),
  health: nodeHealth,
  /** What made the registry say it: `registered`, `version 2.3.0 → 2.4.0`, `health healthy → unhealthy`, `refresh`. */
  reason: z.string(),
  /** Epoch milliseconds at which the registry saw this state. */
  observedAt: z.number().int().nonnegative(),
});
export type NodeChangedV1 = z.infer<typeof nodeChangedV1>;

/** A Rollout manifest the registry stored for routing-control, which runs it. */
export const rolloutDeclaredV1 = z.object({
  stack: identifier,
  rollout: identifier,
  spec: z.record(z.string(), z.unknown()),
  checksum: z.string().min(1),
  actor: z.string().min(1),
});
export type RolloutDeclaredV1 = z.infer<typeof rolloutDeclaredV1>;

/**
 * A token was issued, expired or revoked: its whole state, so every service can keep a projection
 * to verify bearer tokens with. Only the SHA-256 of the secret travels, never the secret.
 */
export const tokenChangedV1 = z.object({
  id: z.string().uuid(),
  principal: z.string().min(1).max(128),
  role: z.enum(['viewer', 'operator', 'admin']),
  tokenHash: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string().datetime({ offset: true }),
  expiresAt: z.string().datetime({ offset: true }).nullable(),
  revokedAt: z.string().datetime({ offset: true }).nullable(),
  change: z.enum(['created', 'expired', 'revoked']),
  actor: z.string().min(1),
});
export type TokenChangedV1 = z.infer<typeof tokenChangedV1>;

/** A `Deployment` manifest applied: the rollback service starts its forward execution. */
export const deploymentDeclaredV1 = z.object({
  stack: identifier,
  environment: identifier,
  versionGroup: identifier,
  actor: z.string().min(1),
});
export type DeploymentDeclaredV1 = z.infer<typeof deploymentDeclaredV1>;

/**
 * A `RollbackTrigger` manifest applied: the rollback service, which owns triggers, creates or
 * replaces it. `spec` is the trigger's body as its API takes it (`when`, `action`, …), validated by
 * the registry with the same rules; the same spec again changes nothing there.
 */
export const rollbackTriggerDeclaredV1 = z.object({
  stack: identifier,
  environment: identifier,
  name: identifier,
  spec: z.record(z.string(), z.unknown()),
  actor: z.string().min(1),
});
export type RollbackTriggerDeclaredV1 = z.infer<typeof rollbackTriggerDeclaredV1>;
