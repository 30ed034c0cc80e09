import { z } from 'zod';

const name = z.string().min(1).max(200);
const member = z.object({ component: name, version: z.string().min(1).max(256) });
const executionStatus = z.enum(['pending', 'running', 'succeeded', 'failed', 'abandoned']);
const stepAction = z.enum(['apply', 'revert', 'traffic']);

/**
 * rollback → anyone: an execution moved (a snapshot of it after the change, not a delta). The
 * registry moves the version map with it: `deploying` when a deploy starts, `deployed` as each
 * member's step succeeds, `rolled-back` and `deployed` when a rollback completes.
 */
export const executionChangedV1 = z.object({
  executionId: z.string().uuid(),
  kind: z.enum(['deploy', 'rollback']),
  stack: name,
  environment: name,
  versionGroup: name,
  fromVersionGroup: name.nullable(),
  change: z.enum(['started', 'step-started', 'step-succeeded', 'step-failed', 'succeeded', 'failed', 'retried', 'abandoned']),
  status: executionStatus,
  /** The step the change is about, for the step-* changes. */
  step: z
    .object({
      index: z.number().int().nonnegative(),
      action: stepAction,
      component: name,
      type: name,
      fromVersion: z.string().nullable(),
      toVersion: z.string().nullable(),
      error: z.string().max(4_000).nullable(),
    })
    .nullable(),
  /** The members of the group the execution brings the environment to. */
  members: z.array(member),
  /** The components the execution takes back to nothing or to another version (rollback). */
  reverted: z.array(z.object({ component: name, fromVersion: z.string().min(1), toVersion: z.string().nullable() })),
  actor: z.string().min(1).max(300),
});
export type ExecutionChangedV1 = z.infer<typeof executionChangedV1>;

const lbRuleLayer = z.object({ component: name, version: z.string().min(1), spec: z.record(z.string(), z.unknown()) });

/**
 * rollback → routing-control: bring the routing layers of a stack in an environment to these
 * versions. Absent keys are left as they are; `null` removes the layer. `requestId` is the step's
 * idempotency key: a request seen twice publishes one policy version. routing-control answers
 * with `io.strata.routing.layers.converged.v1` once every live gateway ACKs it, or one NACKs it.
 */
export const routingLayersRequestedV1 = z.object({
  requestId: z.string().min(1).max(500),
  stack: name,
  environment: name,
  /** The version group that takes all traffic, with its app component (the one the gateway fronts). */
  traffic: z.object({ versionGroup: name, component: name }).optional(),
  /** A group listed beside the traffic group at weight 0, for a canary rollout to move weight to; a traffic request clears it. */
  canary: z.object({ versionGroup: name, component: name }).optional(),
  lbRule: lbRuleLayer.nullable().optional(),
  networkPolicy: lbRuleLayer.nullable().optional(),
  reason: z.string().min(1).max(2_000),
  /**
   * Epoch ms after which the request is refused, not applied: the step that asked stops waiting for
   * its answer, and a policy published after that (routing-control was down, its consumer behind)
   * would move traffic behind a failed execution's back. Absent: no deadline (older senders).
   */
  notAfter: z.number().int().nonnegative().optional(),
});
export type RoutingLayersRequestedV1 = z.infer<typeof routingLayersRequestedV1>;

/**
 * rollback → external systems: a declared `event` rollback action of a component version (e.g.
 * pinning a third-party contract to its previous version). The declared type travels as data:
 * only catalogued types travel as CloudEvents.
 */
export const rollbackActionRequestedV1 = z.object({
  executionId: z.string().uuid(),
  idempotencyKey: z.string().min(1).max(500),
  stack: name,
  environment: name,
  component: name,
  version: z.string().min(1),
  actionType: z.string().min(1).max(300),
});
export type RollbackActionRequestedV1 = z.infer<typeof rollbackActionRequestedV1>;

/**
 * rollback → routing-control: start this canary rollout of a deploy's group (its traffic step).
 * routing-control answers a refusal with `io.strata.routing.layers.converged.v1` (`rejected`,
 * same request id); a started rollout is followed through `io.strata.routing.rollout.transitioned.v1`.
 */
export const rolloutRequestedV1 = z.object({
  requestId: z.string().min(1).max(500),
  stack: name,
  environment: name,
  rollout: name,
  spec: z.record(z.string(), z.unknown()),
});
export type RolloutRequestedV1 = z.infer<typeof rolloutRequestedV1>;

/**
 * rollback → routing-control: abort this rollout now (a rollback trigger fired). routing-control
 * aborts it with `reason` as any abort (weights back to stable at once); a rollout that has already
 * ended, or an unknown one, is left as it is. `requestId` makes a redelivered request one abort.
 */
export const rolloutAbortRequestedV1 = z.object({
  requestId: z.string().min(1).max(500),
  stack: name,
  environment: name,
  rollout: name,
  reason: z.string().min(1).max(2_000),
  actor: z.string().min(1).max(300),
});
export type RolloutAbortRequestedV1 = z.infer<typeof rolloutAbortRequestedV1>;

/**
 * rollback → anyone: a rollback trigger's condition held. `dryRun` firings did nothing but
 * record `action` (what they would have done); the others did it (`outcome` says what came of it).
 */
export const triggerFiredV1 = z.object({
  firingId: z.string().uuid(),
  stack: name,
  environment: name,
  trigger: name,
  when: z.string().min(1).max(2_000),
  action: z.enum(['abort', 'rollback']),
  dryRun: z.boolean(),
  rollout: name.nullable(),
  versionGroup: name.nullable(),
  /** What the condition saw: figures of each side, the anomaly, the failing check. */
  evidence: z.string().min(1).max(4_000),
  outcome: z.string().min(1).max(2_000),
});
export type TriggerFiredV1 = z.infer<typeof triggerFiredV1>;
