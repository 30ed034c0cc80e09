import { z } from 'zod';

/** A rollout's phase: the one list, for events and the API's schemas (the domain's RolloutPhase type names the same). */
export const rolloutPhase = z.enum(['pending', 'progressing', 'paused', 'promoted', 'aborted', 'rolled-back']);

/** One metric a statistical judge tested during a rollout's analysis (libs/analytics, the sequential judge). */
export const judgedMetric = z.object({
  metric: z.string().min(1).max(100),
  regression: z.boolean(),
  pValue: z.number().min(0).max(1).nullable(),
  level: z.number().gt(0).lt(1),
});
export type JudgedMetricV1 = z.infer<typeof judgedMetric>;

/**
 * routing-control → anyone: a rollout changed phase or entered its next step (`from` equals `to`).
 * `from` is null when the rollout was created. `policyVersion` is the routing policy version that
 * carries the rollout's weights after this transition, null when the weights did not change.
 */
export const rolloutTransitionedV1 = z.object({
  stack: z.string().min(1).max(63),
  environment: z.string().min(1).max(63),
  rollout: z.string().min(1),
  versionGroup: z.string().min(1),
  from: rolloutPhase.nullable(),
  to: rolloutPhase,
  stepIndex: z.number().int().nonnegative(),
  canaryWeight: z.number().min(0).max(100),
  reason: z.string(),
  policyVersion: z.number().int().positive().nullable(),
  actor: z.string().min(1),
  /**
   * On the creating transition (`from` null): the Rollout's `rollbackTriggers` as declared; the
   * rollback service, their home, watches them for this rollout. Absent on the others.
   */
  rollbackTriggers: z.array(z.object({ when: z.string().min(1).max(2_000), for: z.string().max(50).optional(), minRequests: z.number().int().positive().optional() })).max(20).optional(),
  /**
   * On the transition an analysis caused, when its judge was statistical: each metric's
   * always-valid p-value (null: not tested), the level a fail needs it under, and whether it
   * regressed (the reason quotes the same figures). Absent on the others and from older producers.
   */
  judgedMetrics: z.array(judgedMetric).max(20).optional(),
});
export type RolloutTransitionedV1 = z.infer<typeof rolloutTransitionedV1>;

const declarationKey = {
  stack: z.string().min(1).max(63),
  /** The Rollout manifest's name. */
  rollout: z.string().min(1),
  /** The registry's checksum of the declared spec: the answer belongs to this declaration. */
  checksum: z.string().min(1),
};

/** Why routing-control refused a declaration, from the domain error it raised. */
export const ROLLOUT_DECLARATION_REFUSALS = ['invalid', 'conflict', 'precondition-failed', 'not-found'] as const;
export type RolloutDeclarationRefusal = (typeof ROLLOUT_DECLARATION_REFUSALS)[number];

/**
 * routing-control → registry: its answer to `io.strata.registry.rollout.declared.v1`, exactly one
 * per declaration. `started`: the rollout runs (or already ran: the same checksum twice is one
 * rollout) under `rolloutId`, in `phase` when it answered. `refused`: nothing was created, for
 * `reason`; `violations` name the Rollout's fields (`spec.…`) where the refusal has any.
 */
export const rolloutDeclarationAnsweredV1 = z.discriminatedUnion('outcome', [
  z.object({ ...declarationKey, outcome: z.literal('started'), rolloutId: z.string().uuid(), phase: rolloutPhase }),
  z.object({
    ...declarationKey,
    outcome: z.literal('refused'),
    refusal: z.enum(ROLLOUT_DECLARATION_REFUSALS),
    reason: z.string().min(1).max(2_000),
    violations: z.array(z.object({ field: z.string().max(500), message: z.string().max(2_000) })).max(200),
  }),
]);
export type RolloutDeclarationAnsweredV1 = z.infer<typeof rolloutDeclarationAnsweredV1>;
