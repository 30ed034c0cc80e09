import { LbRuleSpec, lbRuleSpecViolations } from '../components/specs/lb-rule-spec';
import { isPlainObject } from '../components/validation';
import { DomainError, DomainViolation } from '../errors/domain-error';
import { NodeWeights, WeightedNodePicker, nodeWeightsViolations } from '../routing/node-weights';
import { compileRoutingLayers } from '../routing/routing-layers';
import { resolvedRoutingPolicyViolations } from '../routing/routing-policy';

/** The lb-rule version an lb-weights proposal becomes, as the registry takes it (`POST /v1/components/:c/versions`). */
export interface LbRuleVersionDefinition {
  version: string;
  spec: LbRuleSpec;
}

/** What the compile check of proposed weights found: a dry run of the routing policy, not a trial of traffic. */
export interface LbWeightsCompileCheck {
  method: 'compile-check';
  validated: boolean;
  violations: DomainViolation[];
  /** Per node, the share of its stack config's traffic the gateway's weighted pick gives it with every node idle and available. */
  shares: Record<string, number>;
  reason: string;
}

/**
 * The lb-rule spec that carries proposed weights: the deployed version's routes, retries and
 * stickiness unchanged, its nodeWeights replaced; without a deployed lb-rule version, one route
 * taking every request to the app the gateway fronts (what a policy without routes accepts). The
 * weights are checked here (422 naming `change.weights`), the spec by the lb-rule validator.
 */
export function lbWeightsSpec(deployed: unknown, weights: unknown, app: string): LbRuleSpec {
  const violations = nodeWeightsViolations(weights, 'change.weights');
  if (violations.length > 0) throw DomainError.invalid('the proposal does not hold node weights an lb-rule can carry', violations);
  const base = isPlainObject(deployed) ? deployed : { routes: [{ match: { pathPrefix: '/' }, to: app }] };
  const spec = { ...base, nodeWeights: { ...(weights as NodeWeights) } };
  const specViolations = lbRuleSpecViolations(spec, 'spec');
  if (specViolations.length > 0) throw DomainError.invalid('the deployed lb-rule with the proposed weights is not a valid lb-rule spec', specViolations);
  return spec as unknown as LbRuleSpec;
}

/**
 * The dry run of proposed weights: the lb-rule spec they make, compiled as routing-control compiles
 * the deployed layers (the stack config as the traffic group, its nodes the ones the weights name),
 * checked as a gateway checks a policy, and the traffic share each node would take. It proves the
 * weights can be deployed and what split they ask for; it measures nothing about traffic.
 */
export function lbWeightsCompileCheck(input: { weights: unknown; app: string; stackConfig: string | null; deployed?: unknown }): LbWeightsCompileCheck {
  const failed = (violations: DomainViolation[]): LbWeightsCompileCheck => ({
    method: 'compile-check',
    validated: false,
    violations,
    shares: {},
    reason: `compile check (not a traffic check) failed: ${violations.map((violation) => `${violation.field}: ${violation.message}`).join('; ')}`,
  });
  let spec: LbRuleSpec;
  try {
    spec = lbWeightsSpec(input.deployed, input.weights, input.app);
  } catch (error) {
    if (error instanceof DomainError) return failed([...error.violations]);
    throw error;
  }
  const weights = spec.nodeWeights as NodeWeights;
  const versionGroup = input.stackConfig ?? `${input.app}-dry-run`;
  const compiled = compileRoutingLayers({ traffic: { versionGroup, component: input.app }, lbRule: { component: 'lb-weights-proposal', version: 'dry-run', spec }, networkPolicy: null }, null);
  if (compiled === null || !compiled.ok) return failed(compiled?.violations ?? [{ field: 'change', message: 'compiles into no routing policy' }]);
  // The nodes as discovery lists them (id = address); the URL only has to be an origin the gateway accepts.
  const nodes = Object.keys(weights).map((id, index) => ({ id, url: `http://127.0.0.1:${index + 1}` }));
  const policy = { ...compiled.policy, stackConfigs: compiled.policy.stackConfigs.map((stackConfig) => ({ ...stackConfig, nodes })) };
  const violations = resolvedRoutingPolicyViolations(policy);
  if (violations.length > 0) return failed(violations);
  const picker = new WeightedNodePicker(nodes, (node) => weights[node.id] ?? 0);
  const shares = Object.fromEntries(nodes.map((node) => [node.id, Math.round((picker.shares().get(node) ?? 0) * 1e4) / 1e4]));
  return {
    method: 'compile-check',
    validated: true,
    violations: [],
    shares,
    reason: `compile check, not a traffic check: the weights compile into a valid routing policy for ${versionGroup} (${Object.entries(shares)
      .map(([node, share]) => `${node} ${Math.round(share * 1_000) / 10} %`)
      .join(', ')} of its traffic with every node idle); no mirrored traffic was measured`,
  };
}
