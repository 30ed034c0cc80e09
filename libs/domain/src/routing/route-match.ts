import { DomainViolation } from '../errors/domain-error';
import { LbMatch, lbMatchViolations } from '../components/specs/lb-rule-spec';
import { describeValue, fieldPath } from '../components/validation';
import { ROUTING_LIMITS } from '../schemas/routing-policy.schema';
import { RoutableRequest } from './stack-router';

/** What a route match reads of a request besides what the router reads. */
export interface RouteRequest extends RoutableRequest {
  readonly method: string;
}

/**
 * The `routes` of a routing policy, compiled from the deployed `lb-rule` version: the requests the
 * gateway accepts for the component it fronts. A request matching none of them is answered 404;
 * a policy without `routes` accepts every request.
 */
export function routesViolations(routes: unknown, field: string): DomainViolation[] {
  if (!Array.isArray(routes) || routes.length === 0 || routes.length > ROUTING_LIMITS.rules) {
    return [{ field, message: `must be a list of 1 to ${ROUTING_LIMITS.rules} matches, got ${describeValue(routes)}` }];
  }
  return routes.flatMap((match: unknown, index) => lbMatchViolations(match, fieldPath(field, index)));
}

/** Every criterion of the match holds for the request (the lb-rule's semantics). */
export function routeMatches(match: LbMatch, request: RouteRequest): boolean {
  if (match.path !== undefined && request.path !== match.path) return false;
  if (match.pathPrefix !== undefined && !hasPathPrefix(request.path, match.pathPrefix)) return false;
  if (match.method !== undefined && request.method !== match.method) return false;
  if (match.host !== undefined && hostOnly(request.header('host')) !== match.host.toLowerCase()) return false;
  if (match.header !== undefined && request.header(match.header.name.toLowerCase()) !== match.header.value) return false;
  if (match.cookie !== undefined && request.cookie(match.cookie.name) !== match.cookie.value) return false;
  return true;
}

export function routesAccept(routes: readonly LbMatch[], request: RouteRequest): boolean {
  for (const match of routes) {
    if (routeMatches(match, request)) return true;
  }
  return false;
}

/** `/checkout` covers `/checkout` and `/checkout/...`, not `/checkouts` (a segment boundary, as Envoy's path_separated_prefix). */
function hasPathPrefix(path: string, prefix: string): boolean {
  if (!path.startsWith(prefix)) return false;
  return path.length === prefix.length || prefix.endsWith('/') || path.charCodeAt(prefix.length) === 47;
}

function hostOnly(host: string | undefined): string | undefined {
  if (host === undefined) return undefined;
  const colon = host.startsWith('[') ? host.indexOf(':', host.indexOf(']')) : host.indexOf(':');
  return (colon === -1 ? host : host.slice(0, colon)).toLowerCase();
}
