import { RoutingPolicy } from './routing-policy';
import { RoutableRequest, matches } from './stack-router';

/**
 * Whether `policy` can still send `request`, were it new, to the node at `nodeUrl` as part of stack
 * config `stackConfig`: the config is listed with that node, and it carries weight, is the stable
 * config or is the target of a match rule this request meets. (A config of weight 0 reached only in fallback, when no
 * weighted config has an available node, does not count: that is a moment's availability, not
 * the policy's intent.)
 *
 * A connection that outlives its request (an upgraded one: a WebSocket) was routed once, under
 * the policy of that moment; the gateway keeps it open only while this holds for the policy it
 * serves now, so a canary set to weight 0, a version rolled back or a node taken out closes its
 * long-lived connections and their clients reconnect to what the policy routes to now.
 */
export function routesToNode(policy: RoutingPolicy, stackConfig: string, nodeUrl: string, request: RoutableRequest): boolean {
  const listed = policy.stackConfigs.find((candidate) => candidate.name === stackConfig);
  if (!listed?.nodes.some((node) => node.url === nodeUrl)) {
    return false;
  }
  if (listed.weight > 0 || policy.stableConfig === stackConfig) {
    return true;
  }
  return policy.rules.some(({ match, stackConfig: target }) => target === stackConfig && matches('header' in match ? { header: match.header.toLowerCase(), value: match.value } : match, request));
}
