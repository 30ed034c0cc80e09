import { DomainViolation } from '../../errors/domain-error';
import { resourceNameProblem } from '../../stacks/names';
import { ROUTING_LIMITS } from '../../schemas/routing-policy.schema';
import { cidrProblem } from '../cidr';
import { describeValue, fieldPath, requireObject, requireToken, unknownKeyViolations } from '../validation';

export interface NetworkPolicySpec {
  /** Traffic allowed in; everything else follows `default` (deny unless said otherwise). */
  allow: NetworkAllowRule[];
  default?: 'deny' | 'allow';
}

export interface NetworkAllowRule {
  from: NetworkPeer;
  /** The component the traffic may reach. */
  to: string;
}

/** Exactly one way of naming the caller. */
export type NetworkPeer = { header: string; values: string[] } | { cidr: string } | { component: string };

const PEER_KINDS = ['header', 'cidr', 'component'];

export function networkPolicySpecViolations(spec: unknown, field: string): DomainViolation[] {
  const violations: DomainViolation[] = [];
  if (!requireObject(spec, field, violations)) {
    return violations;
  }
  violations.push(...unknownKeyViolations(spec, ['allow', 'default'], field));
  if ('default' in spec && spec['default'] !== 'deny' && spec['default'] !== 'allow') {
    violations.push({ field: `${field}.default`, message: `must be 'deny' or 'allow', got ${describeValue(spec['default'])}` });
  }
  const allow = spec['allow'];
  if (!Array.isArray(allow) || allow.length > ROUTING_LIMITS.allowRules) {
    violations.push({ field: `${field}.allow`, message: `must be a list of at most ${ROUTING_LIMITS.allowRules} {from, to} rules, got ${describeValue(allow)}` });
    return violations;
  }
  allow.forEach((rule: unknown, index) => violations.push(...allowRuleViolations(rule, fieldPath(`${field}.allow`, index))));
  return violations;
}

function allowRuleViolations(rule: unknown, field: string): DomainViolation[] {
  const violations: DomainViolation[] = [];
  if (!requireObject(rule, field, violations)) {
    return violations;
  }
  violations.push(...unknownKeyViolations(rule, ['from', 'to'], field));
  violations.push(...peerViolations(rule['from'], `${field}.from`));
  const to = rule['to'];
  const toProblem = typeof to === 'string' ? resourceNameProblem(to) : `must name a component, got ${describeValue(to)}`;
  if (toProblem) {
    violations.push({ field: `${field}.to`, message: toProblem });
  }
  return violations;
}

function peerViolations(peer: unknown, field: string): DomainViolation[] {
  const violations: DomainViolation[] = [];
  if (!requireObject(peer, field, violations)) {
    return violations;
  }
  const kinds = PEER_KINDS.filter((kind) => kind in peer);
  if (kinds.length !== 1) {
    return [{ field, message: `must hold exactly one of ${PEER_KINDS.join(', ')}` }];
  }
  const [kind] = kinds;
  if (kind === 'header') {
    violations.push(...unknownKeyViolations(peer, ['header', 'values'], field));
    requireToken(peer['header'], `${field}.header`, violations);
    const values = peer['values'];
    if (
      !Array.isArray(values) ||
      values.length === 0 ||
      values.length > ROUTING_LIMITS.headerValues ||
      !values.every((value: unknown) => typeof value === 'string' && value !== '' && value.length <= ROUTING_LIMITS.headerValueLength)
    ) {
      violations.push({
        field: `${field}.values`,
        message: `must be a list of 1 to ${ROUTING_LIMITS.headerValues} non-empty strings of at most ${ROUTING_LIMITS.headerValueLength} characters, got ${describeValue(values)}`,
      });
    }
  } else if (kind === 'cidr') {
    violations.push(...unknownKeyViolations(peer, ['cidr'], field));
    const problem = cidrProblem(peer['cidr']);
    if (problem) {
      violations.push({ field: `${field}.cidr`, message: problem });
    }
  } else {
    violations.push(...unknownKeyViolations(peer, ['component'], field));
    const component = peer['component'];
    const problem = typeof component === 'string' ? resourceNameProblem(component) : `must name a component, got ${describeValue(component)}`;
    if (problem) {
      violations.push({ field: `${field}.component`, message: problem });
    }
  }
  return violations;
}
