/**
 * The registered, immutable version of one component. The six fields every type shares are typed
 * here; `spec` belongs to the component type and is checked by that type's validator.
 */
export interface ComponentVersion<TSpec = unknown> {
  component: string;
  type: string;
  /** SemVer 2.0, strictly: no `v` prefix, no surrounding spaces. */
  version: string;
  dependencies: DependencyDeclaration[];
  config: Record<string, ConfigValue>;
  /** Ordered: executed first to last when this version is rolled back. */
  rollback: RollbackAction[];
  healthCheck?: HealthCheck;
  spec: TSpec;
}

/** `range` uses npm semver range syntax: `^3.0.0`, `>=14.1.0 <15.0.0`, `1.2.3 - 1.4.0`, `*`. */
export interface DependencyDeclaration {
  component: string;
  range: string;
}

/** A duration is written as a string such as `5s`, `250ms` or `1m30s`; see `parseDuration`. */
export type ConfigValue = string | number | boolean;

export type ConfigParameterType = 'string' | 'number' | 'boolean' | 'duration';

export type RollbackAction = SqlRollbackAction | HttpRollbackAction | RoutingRollbackAction | EventRollbackAction;

export type RollbackActionKind = 'sql' | 'http' | 'routing' | 'event';

/** Runs SQL against the component's database: its own `spec.down`, or an explicit statement. */
export interface SqlRollbackAction {
  sql: { from: 'down' } | { statement: string };
}

export interface HttpRollbackAction {
  http: { url: string; method: HttpMethod; expectStatus: number };
}

/** Puts the routing back the way it was before this version took traffic. */
export interface RoutingRollbackAction {
  routing: { restore: 'previous' };
}

/** Publishes an event for an external system to act on, e.g. pinning the previous API contract. */
export interface EventRollbackAction {
  event: { type: string };
}

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/** Exactly one probe: `url` (HTTP) or `sql`. `expectStatus` belongs to HTTP probes only. */
export type HealthCheck = HttpHealthCheck | SqlHealthCheck;

export interface HttpHealthCheck {
  /** `{node}` is replaced by each backend node's host:port. */
  url: string;
  expectStatus?: number;
  /** Text the response body must contain. */
  expect?: string;
  timeout: string;
  interval: string;
}

export interface SqlHealthCheck {
  sql: string;
  /** Value the first column of the first row must equal, compared as text. */
  expect?: string | number | boolean;
  timeout: string;
  interval: string;
}

/** `checkout-api@2.4.0`: how versions are named in messages and keyed in maps. */
export function versionKey(component: string, version: string): string {
  return `${component}@${version}`;
}
