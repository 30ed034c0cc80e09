import { z } from 'zod';

const rolloutPhase = z.enum(['pending', 'progressing', 'paused', 'promoted', 'aborted', 'rolled-back']);

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
});
export type RolloutTransitionedV1 = z.infer<typeof rolloutTransitionedV1>;

export const RolloutEventTypes = {
  transitioned: 'io.strata.routing.rollout.transitioned.v1',
} as const;
