import { DomainViolation } from '../errors/domain-error';
import { LbMatch, LbRuleSpec } from '../components/specs/lb-rule-spec';
import { NetworkPolicySpec } from '../components/specs/network-policy-spec';
import { DEFAULT_OUTLIER_DETECTION, DEFAULT_RETRY_BUDGET, RoutingPolicy, StackConfigRoute } from './routing-policy';

/** A deployed version of a routing layer (an lb-rule or a network-policy component). */
export interface DeployedLayer<TSpec> {
  component: string;
  version: string;
  spec: TSpec;
}

/**
 * What is deployed of a stack's routing in one environment: the version group taking the traffic
 * (and the app component the gateway fronts), the lb-rule and the network policy. Each part is
 * absent until an execution deploys it.
 */
export interface RoutingLayers {
  traffic: { versionGroup: string; component: string } | null;
  /** A group beside the traffic group at weight 0 (discovered nodes), for a canary rollout to move weight to. */
  canary?: { versionGroup: string; component: string } | null;
  lbRule: DeployedLayer<LbRuleSpec> | null;
  networkPolicy: DeployedLayer<NetworkPolicySpec> | null;
}

export const NO_ROUTING_LAYERS: RoutingLayers = { traffic: null, lbRule: null, networkPolicy: null };

/** Where each part of a derived routing policy came from: a deployed `component@version`, the execution's group, or `operator`. */
export interface RoutingPolicySources {
  stackConfigs: string;
  routes: string | null;
  stickiness: string | null;
  /** The lb-rule version whose nodeWeights the policy carries, or null. */
  nodeWeights: string | null;
  networkPolicy: string | null;
  /** The fields kept from the operator's policy (retry budget, outlier detection, rules, health check); mirroring is not: its staging config is not in a derived policy. */
  operator: string[];
}

export type CompiledLayers = { ok: true; policy: RoutingPolicy; sources: RoutingPolicySources } | { ok: false; violations: DomainViolation[] };

const OPERATOR_FIELDS = ['retryBudget', 'outlierDetection', 'rules', 'healthCheck'] as const;

/**
 * The routing policy derived from what is deployed: the traffic group as the one weighted stack
 * config (its nodes discovered unless the operator pinned them), the lb-rule's matches as `routes`,
 * its stickiness and its per-node weights, the network policy as deployed. The operator's settings that no layer
 * describes (retry budget, outlier detection, mirroring, match rules to configs still present,
 * health check) are kept from `current`. Without a traffic group there is nothing to route yet:
 * null, and the layers wait for the traffic step.
 */
export function compileRoutingLayers(layers: RoutingLayers, current: RoutingPolicy | null): CompiledLayers | null {
  if (!layers.traffic) {
    return null;
  }
  const { versionGroup, component } = layers.traffic;
  const violations: DomainViolation[] = [];
  const pinned = current?.stackConfigs.find((stackConfig) => stackConfig.name === versionGroup);
  const stackConfigs: StackConfigRoute[] = [{ name: versionGroup, weight: 100, nodes: pinned && current?.component === component ? pinned.nodes : [] }];
  const canary = layers.canary && layers.canary.versionGroup !== versionGroup ? layers.canary : null;
  if (canary) {
    if (canary.component !== component) {
      violations.push({ field: 'canary.component', message: `the canary group's app is '${canary.component}', but the gateway of this stack fronts '${component}'` });
    }
    stackConfigs.push({ name: canary.versionGroup, weight: 0, nodes: [] });
  }
  const policy: RoutingPolicy = {
    component,
    stableConfig: versionGroup,
    stackConfigs,
    rules: (current?.rules ?? []).filter((rule) => rule.stackConfig === versionGroup),
    retryBudget: current?.retryBudget ?? DEFAULT_RETRY_BUDGET,
    outlierDetection: current?.outlierDetection ?? DEFAULT_OUTLIER_DETECTION,
    ...(current?.healthCheck ? { healthCheck: current.healthCheck } : {}),
  };
  const sources: RoutingPolicySources = { stackConfigs: `version group ${versionGroup}${canary ? `, canary ${canary.versionGroup} at weight 0` : ''}`, routes: null, stickiness: null, nodeWeights: null, networkPolicy: null, operator: [] };
  if (layers.lbRule) {
    const { routes, stickiness } = compileLbRule(layers.lbRule, component, violations);
    policy.routes = routes;
    const from = `${layers.lbRule.component}@${layers.lbRule.version}`;
    sources.routes = from;
    if (stickiness) {
      policy.stickiness = stickiness;
      sources.stickiness = from;
    }
    if (layers.lbRule.spec.nodeWeights) {
      policy.nodeWeights = { ...layers.lbRule.spec.nodeWeights };
      sources.nodeWeights = from;
    }
  }
  if (!policy.stickiness && current?.stickiness) {
    policy.stickiness = current.stickiness;
    sources.stickiness = 'operator';
  }
  if (layers.networkPolicy) {
    policy.networkPolicy = layers.networkPolicy.spec;
    sources.networkPolicy = `${layers.networkPolicy.component}@${layers.networkPolicy.version}`;
  }
  if (current) {
    sources.operator = OPERATOR_FIELDS.filter((field) => current[field] !== undefined && !(Array.isArray(current[field]) && (current[field] as unknown[]).length === 0));
  }
  return violations.length > 0 ? { ok: false, violations } : { ok: true, policy, sources };
}

/**
 * An lb-rule's routes as the gateway of one component applies them: the matches of the routes to
 * that component. A route to another component, or a split of one match over several components,
 * needs another gateway: refused, naming the route, rather than silently dropped.
 */
function compileLbRule(layer: DeployedLayer<LbRuleSpec>, component: string, violations: DomainViolation[]): { routes: LbMatch[]; stickiness: { cookie: string } | undefined } {
  const routes: LbMatch[] = [];
  let stickiness: { cookie: string } | undefined;
  layer.spec.routes.forEach((route, index) => {
    if (route.to !== component) {
      violations.push({
        field: `lbRule.spec.routes[${index}].to`,
        message: `${layer.component}@${layer.version} sends this route to '${route.to}', but the gateway of this stack fronts '${component}' (one gateway per app component)`,
      });
      return;
    }
    routes.push(route.match);
    stickiness ??= route.stickiness;
  });
  return { routes, stickiness };
}
