/**
 * What a bearer token may do. Each role includes the ones before it: a viewer reads, an operator
 * also changes stacks, versions, routing and rollouts, an admin also manages tokens.
 */
export const ROLES = ['viewer', 'operator', 'admin'] as const;

export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** True when a token holding `held` may call a route that requires `required`. */
export function roleSatisfies(held: Role, required: Role): boolean {
  return RANK[held] >= RANK[required];
}

/** The highest role that does not satisfy `required`, or undefined when none is lower (viewer). */
export function roleBelow(required: Role): Role | undefined {
  return ROLES[RANK[required] - 1];
}
