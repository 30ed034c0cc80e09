import { DomainError, DomainViolation } from '../errors/domain-error';
import { NetworkPolicySpec, networkPolicySpecViolations } from '../components/specs/network-policy-spec';
import { resourceNameProblem } from '../stacks/names';
import { describeValue, fieldPath, isNonBlankString, requireObject, unknownKeyViolations } from '../components/validation';
import { nodeViolations } from './backend-nodes';
import { ROUTING_LIMITS } from '../schemas/routing-policy.schema';
import { LbMatch } from '../components/specs/lb-rule-spec';
import { routesViolations } from './route-match';
import { NodeWeights, nodeWeightsViolations } from './node-weights';
import { MirrorSettings, mirrorViolations } from './mirror-settings';

export { BODY_COMPARISON_LIMITS, type BodyComparisonSettings, type MirrorSettings, mirrorExpired } from './mirror-settings';

/**
 * The routing policy of one stack in one environment, as a gateway routes by it: the stack configs
 * (version groups) with their weights and nodes, the rules that pin some traffic, stickiness, the
 * retry budget, mirroring to a staging config and the network policy of the component it fronts.
 * As an operator writes it, a stack config may leave its nodes to discovery (parseRoutingPolicy);
 * as routing-control publishes it to gateways, every node is resolved (parseResolvedRoutingPolicy).
 */
export interface RoutingPolicy {
  /** The component the gateway fronts: the destination of network-policy rules and a KPI label. */
  component: string;
  /** The baseline: scores compare against it and failed idempotent canary requests retry on it. */
  stableConfig: string;
  stackConfigs: StackConfigRoute[];
  rules: MatchRule[];
  stickiness?: Stickiness;
  retryBudget: RetryBudgetSettings;
  mirror?: MirrorSettings;
  networkPolicy?: NetworkPolicySpec;
  /** The requests the gateway accepts (the deployed lb-rule's matches); absent: all. See route-match.ts. */
  routes?: LbMatch[];
  /** Per node id, its share of its stack config's traffic (the deployed lb-rule's nodeWeights); absent: power of two choices. See node-weights.ts. */
  nodeWeights?: NodeWeights;
  outlierDetection: OutlierDetectionSettings;
  healthCheck?: HealthCheckSettings;
}

export interface StackConfigRoute {
  name: string;
  /** Relative; a weight of 0 takes no traffic by weight (rules and mirroring may still reach it). */
  weight: number;
  /**
   * Empty only for a stack config that takes no traffic (see `trafficReason`): a group listed
   * ahead of its rollout whose nodes have not reported yet.
   */
  nodes: BackendNode[];
}

export interface BackendNode {
  /** Unique across the whole routing policy: KPIs and outlier state are kept per node id. */
  id: string;
  /** Origin only, e.g. `http://10.0.0.5:8080`. */
  url: string;
  /** The version the version map declares; a node reporting another one is a mismatch. */
  version?: string;
}

export type MatchCondition = { header: string; value: string } | { cookie: string; value: string } | { pathPrefix: string };

export interface MatchRule {
  match: MatchCondition;
  stackConfig: string;
}

export type Stickiness = { header: string } | { cookie: string };

export interface RetryBudgetSettings {
  /** Retries allowed per request seen, e.g. 0.2 = at most one retry for five requests. */
  ratio: number;
  /** Retries always allowed per second, so a quiet gateway can still retry. */
  minRetriesPerSecond: number;
}

export interface OutlierDetectionSettings {
  consecutiveFailures: number;
  baseEjectionMs: number;
  maxEjectionMs: number;
}

export interface HealthCheckSettings {
  path: string;
  intervalMs: number;
}

export const DEFAULT_RETRY_BUDGET: RetryBudgetSettings = { ratio: 0.2, minRetriesPerSecond: 10 };
export const DEFAULT_OUTLIER_DETECTION: OutlierDetectionSettings = { consecutiveFailures: 5, baseEjectionMs: 1_000, maxEjectionMs: 30_000 };

const MAX_WEIGHT = 1_000_000;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const MAX_TOKEN_LENGTH = 256;
const REQUEST_PATH = /^\/[\x21-\x7e]*$/;

/**
 * Every violation of a resolved routing policy, as gateways receive it, each with its field path; empty when
 * the config is valid. A stack config may have no node only while nothing can send it a request.
 */
export function resolvedRoutingPolicyViolations(value: unknown): DomainViolation[] {
  return configViolations(value, false);
}

/**
 * Every violation of a routing policy as an operator writes it: a resolved one in which a stack
 * config may omit `nodes` or give an empty list, meaning "the nodes the registry discovered".
 */
export function routingPolicyViolations(value: unknown): DomainViolation[] {
  return configViolations(value, true);
}

/** A routing policy as written: the config with `nodes: []` where the nodes are to be discovered, and which those are. */
export interface ParsedRoutingPolicy {
  config: RoutingPolicy;
  /** Names of the stack configs whose nodes are discovered (omitted or empty in the policy), in order. */
  discoveredStackConfigs: string[];
}

/** Validates a routing policy and fills defaults; throws an invalid-input DomainError listing every violation. */
export function parseRoutingPolicy(value: unknown): ParsedRoutingPolicy {
  const violations = routingPolicyViolations(value);
  if (violations.length > 0) {
    throw DomainError.invalid(`the routing policy has ${violations.length} violation(s)`, violations);
  }
  const written = value as Omit<RoutingPolicy, 'stackConfigs'> & { stackConfigs: (Omit<StackConfigRoute, 'nodes'> & { nodes?: BackendNode[] })[] };
  const stackConfigs = written.stackConfigs.map((stackConfig) => ({ ...stackConfig, nodes: stackConfig.nodes ?? [] }));
  return {
    config: withDefaults({ ...written, stackConfigs }),
    discoveredStackConfigs: stackConfigs.filter((stackConfig) => stackConfig.nodes.length === 0).map((stackConfig) => stackConfig.name),
  };
}

/**
 * Why requests can reach a stack config (its weight, being the stable config that retries land on,
 * a match rule, mirroring), or undefined when none can: only then may it have no backend node.
 * Reads the config defensively, as the validator calls it before the config is known to be valid.
 */
export function trafficReason(config: { stableConfig?: unknown; rules?: unknown; mirror?: unknown }, stackConfig: { name?: unknown; weight?: unknown }): string | undefined {
  if (typeof stackConfig.weight === 'number' && stackConfig.weight > 0) {
    return `its weight is ${stackConfig.weight}`;
  }
  if (config.stableConfig === stackConfig.name) {
    return 'it is the stable config (failed canary requests are retried on it)';
  }
  const rules = Array.isArray(config.rules) ? (config.rules as unknown[]) : [];
  const rule = rules.findIndex((candidate) => typeof candidate === 'object' && candidate !== null && (candidate as { stackConfig?: unknown }).stackConfig === stackConfig.name);
  if (rule !== -1) {
    return `rules[${rule}] sends requests to it`;
  }
  if (typeof config.mirror === 'object' && config.mirror !== null && (config.mirror as { stackConfig?: unknown }).stackConfig === stackConfig.name) {
    return 'requests are mirrored to it';
  }
  return undefined;
}

function retryBudgetViolations(budget: unknown, violations: DomainViolation[]): void {
  if (requireObject(budget, 'retryBudget', violations)) {
    violations.push(...unknownKeyViolations(budget, ['ratio', 'minRetriesPerSecond'], 'retryBudget'));
    numberBetween(budget['ratio'], 0, 1, 'retryBudget.ratio', violations);
    numberBetween(budget['minRetriesPerSecond'], 0, 100_000, 'retryBudget.minRetriesPerSecond', violations);
  }
}

function outlierDetectionViolations(outlier: unknown, violations: DomainViolation[]): void {
  if (!requireObject(outlier, 'outlierDetection', violations)) {
    return;
  }
  violations.push(...unknownKeyViolations(outlier, ['consecutiveFailures', 'baseEjectionMs', 'maxEjectionMs'], 'outlierDetection'));
  integerBetween(outlier['consecutiveFailures'], 1, 1_000, 'outlierDetection.consecutiveFailures', violations);
  integerBetween(outlier['baseEjectionMs'], 1, 3_600_000, 'outlierDetection.baseEjectionMs', violations);
  integerBetween(outlier['maxEjectionMs'], 1, 3_600_000, 'outlierDetection.maxEjectionMs', violations);
  if (typeof outlier['baseEjectionMs'] === 'number' && typeof outlier['maxEjectionMs'] === 'number' && outlier['maxEjectionMs'] < outlier['baseEjectionMs']) {
    violations.push({ field: 'outlierDetection.maxEjectionMs', message: 'must not be shorter than baseEjectionMs' });
  }
}

function healthCheckViolations(check: unknown, violations: DomainViolation[]): void {
  if (!requireObject(check, 'healthCheck', violations)) {
    return;
  }
  violations.push(...unknownKeyViolations(check, ['path', 'intervalMs'], 'healthCheck'));
  // Visible ASCII only, as on the request line: HTTP clients refuse to send anything else, and a
  // probe that can never be sent would count as a failure of every node.
  if (typeof check['path'] !== 'string' || !REQUEST_PATH.test(check['path']) || check['path'].length > ROUTING_LIMITS.pathLength) {
    violations.push({ field: 'healthCheck.path', message: `must be a path starting with '/' without spaces or non-ASCII characters (percent-encode them), got ${describeValue(check['path'])}` });
  }
  integerBetween(check['intervalMs'], 100, 3_600_000, 'healthCheck.intervalMs', violations);
}

function configViolations(value: unknown, nodesMayBeDiscovered: boolean): DomainViolation[] {
  const violations: DomainViolation[] = [];
  if (!requireObject(value, '', violations)) {
    return violations;
  }
  violations.push(
    ...unknownKeyViolations(
      value,
      ['component', 'stableConfig', 'stackConfigs', 'rules', 'stickiness', 'retryBudget', 'mirror', 'networkPolicy', 'routes', 'nodeWeights', 'outlierDetection', 'healthCheck'],
      '',
    ),
  );
  nameViolation(value['component'], 'component', violations);
  const { names, withoutNodes } = stackConfigsViolations(value['stackConfigs'], nodesMayBeDiscovered, violations);
  const referenced = (reference: unknown, field: string): void => {
    if (!isNonBlankString(reference)) {
      violations.push({ field, message: `must name a stack config, got ${describeValue(reference)}` });
    } else if (names !== undefined && !names.has(reference)) {
      violations.push({ field, message: `'${reference}' is not one of the stack configs` });
    }
  };
  referenced(value['stableConfig'], 'stableConfig');
  if (value['rules'] !== undefined) {
    if (!Array.isArray(value['rules']) || value['rules'].length > ROUTING_LIMITS.rules) {
      violations.push({ field: 'rules', message: `must be a list of at most ${ROUTING_LIMITS.rules} {match, stackConfig}, got ${describeValue(value['rules'])}` });
    } else {
      value['rules'].forEach((rule: unknown, index) => {
        const field = fieldPath('rules', index);
        if (requireObject(rule, field, violations)) {
          violations.push(...unknownKeyViolations(rule, ['match', 'stackConfig'], field));
          matchViolations(rule['match'], `${field}.match`, violations);
          referenced(rule['stackConfig'], `${field}.stackConfig`);
        }
      });
    }
  }
  if (value['stickiness'] !== undefined) {
    stickinessViolations(value['stickiness'], 'stickiness', violations);
  }
  if (value['retryBudget'] !== undefined) {
    retryBudgetViolations(value['retryBudget'], violations);
  }
  if (value['mirror'] !== undefined) {
    mirrorViolations(value['mirror'], value['stableConfig'], referenced, violations);
  }
  if (value['networkPolicy'] !== undefined) {
    violations.push(...networkPolicySpecViolations(value['networkPolicy'], 'networkPolicy'));
  }
  if (value['routes'] !== undefined) {
    violations.push(...routesViolations(value['routes'], 'routes'));
  }
  if (value['nodeWeights'] !== undefined) violations.push(...nodeWeightsViolations(value['nodeWeights'], 'nodeWeights'));
  if (value['outlierDetection'] !== undefined) {
    outlierDetectionViolations(value['outlierDetection'], violations);
  }
  if (value['healthCheck'] !== undefined) {
    healthCheckViolations(value['healthCheck'], violations);
  }
  for (const { field, stackConfig } of withoutNodes) {
    const reason = trafficReason(value, stackConfig);
    if (reason !== undefined) {
      violations.push({ field, message: `must list at least one backend node: requests can reach this stack config (${reason})` });
    }
  }
  return violations;
}

/** Validates and fills defaults; throws an invalid-input DomainError listing every violation. */
export function parseResolvedRoutingPolicy(value: unknown): RoutingPolicy {
  const violations = resolvedRoutingPolicyViolations(value);
  if (violations.length > 0) {
    throw DomainError.invalid(`the routing config has ${violations.length} violation(s)`, violations);
  }
  return withDefaults(value as RoutingPolicy);
}

function withDefaults(config: RoutingPolicy): RoutingPolicy {
  return {
    ...config,
    rules: config.rules ?? [],
    retryBudget: config.retryBudget ?? DEFAULT_RETRY_BUDGET,
    outlierDetection: config.outlierDetection ?? DEFAULT_OUTLIER_DETECTION,
  };
}

interface StackConfigsCheck {
  names: Set<string> | undefined;
  /** Stack configs with an empty node list, checked once the rules and mirroring are known. */
  withoutNodes: { field: string; stackConfig: Record<string, unknown> }[];
}

function stackConfigsViolations(value: unknown, nodesMayBeDiscovered: boolean, violations: DomainViolation[]): StackConfigsCheck {
  const withoutNodes: StackConfigsCheck['withoutNodes'] = [];
  if (!Array.isArray(value) || value.length === 0 || value.length > ROUTING_LIMITS.stackConfigs) {
    violations.push({ field: 'stackConfigs', message: `must be a list of 1 to ${ROUTING_LIMITS.stackConfigs} stack configs, got ${describeValue(value)}` });
    return { names: undefined, withoutNodes };
  }
  const names = new Set<string>();
  const nodeIds = new Set<string>();
  let totalWeight = 0;
  value.forEach((stackConfig: unknown, index) => {
    const field = fieldPath('stackConfigs', index);
    if (!requireObject(stackConfig, field, violations)) {
      return;
    }
    violations.push(...unknownKeyViolations(stackConfig, ['name', 'weight', 'nodes'], field));
    const name = stackConfig['name'];
    if (isNonBlankString(name) && names.has(name)) {
      violations.push({ field: `${field}.name`, message: `'${name}' is already the name of another stack config` });
    } else if (isNonBlankString(name) && name.length <= 200) {
      names.add(name);
    } else {
      violations.push({ field: `${field}.name`, message: `must be a non-blank name of at most 200 characters, got ${describeValue(name)}` });
    }
    if (numberBetween(stackConfig['weight'], 0, MAX_WEIGHT, `${field}.weight`, violations)) {
      totalWeight += stackConfig['weight'];
    }
    const nodes = stackConfig['nodes'];
    if (nodes === undefined && nodesMayBeDiscovered) {
      return;
    }
    if (!Array.isArray(nodes) || nodes.length > ROUTING_LIMITS.nodesPerStackConfig) {
      violations.push({ field: `${field}.nodes`, message: `must be a list of at most ${ROUTING_LIMITS.nodesPerStackConfig} backend nodes, got ${describeValue(nodes)}` });
      return;
    }
    if (nodes.length === 0) {
      if (!nodesMayBeDiscovered) {
        withoutNodes.push({ field: `${field}.nodes`, stackConfig });
      }
      return;
    }
    nodes.forEach((node: unknown, nodeIndex) => nodeViolations(node, fieldPath(`${field}.nodes`, nodeIndex), nodeIds, violations));
  });
  if (totalWeight <= 0 && value.every((stackConfig: unknown) => typeof stackConfig === 'object' && stackConfig !== null)) {
    violations.push({ field: 'stackConfigs', message: 'the weights must add up to more than 0, or no request could be routed' });
  }
  return { names, withoutNodes };
}

function matchViolations(match: unknown, field: string, violations: DomainViolation[]): void {
  if (!requireObject(match, field, violations)) {
    return;
  }
  const kinds = ['header', 'cookie', 'pathPrefix'].filter((kind) => kind in match);
  if (kinds.length !== 1) {
    violations.push({ field, message: 'must hold exactly one of header, cookie, pathPrefix' });
    return;
  }
  const [kind] = kinds;
  if (kind === 'pathPrefix') {
    violations.push(...unknownKeyViolations(match, ['pathPrefix'], field));
    if (typeof match['pathPrefix'] !== 'string' || !match['pathPrefix'].startsWith('/') || match['pathPrefix'].length > ROUTING_LIMITS.pathLength) {
      violations.push({ field: `${field}.pathPrefix`, message: `must start with '/' and be at most ${ROUTING_LIMITS.pathLength} characters, got ${describeValue(match['pathPrefix'])}` });
    }
    return;
  }
  violations.push(...unknownKeyViolations(match, [kind, 'value'], field));
  tokenViolation(match[kind], `${field}.${kind}`, violations);
  if (typeof match['value'] !== 'string' || match['value'] === '' || match['value'].length > ROUTING_LIMITS.matchValueLength) {
    violations.push({ field: `${field}.value`, message: `must be a non-empty string of at most ${ROUTING_LIMITS.matchValueLength} characters, got ${describeValue(match['value'])}` });
  }
}

function stickinessViolations(stickiness: unknown, field: string, violations: DomainViolation[]): void {
  if (!requireObject(stickiness, field, violations)) {
    return;
  }
  const kinds = ['header', 'cookie'].filter((kind) => kind in stickiness);
  if (kinds.length !== 1) {
    violations.push({ field, message: 'must hold exactly one of header, cookie' });
    return;
  }
  violations.push(...unknownKeyViolations(stickiness, kinds, field));
  tokenViolation(stickiness[kinds[0]], `${field}.${kinds[0]}`, violations);
}

function tokenViolation(value: unknown, field: string, violations: DomainViolation[]): void {
  if (typeof value !== 'string' || !TOKEN.test(value) || value.length > MAX_TOKEN_LENGTH) {
    violations.push({ field, message: `must be a header or cookie name (an HTTP token of at most ${MAX_TOKEN_LENGTH} characters), got ${describeValue(value)}` });
  }
}

function nameViolation(value: unknown, field: string, violations: DomainViolation[]): void {
  const problem = typeof value === 'string' ? resourceNameProblem(value) : `must name a component, got ${describeValue(value)}`;
  if (problem) {
    violations.push({ field, message: problem });
  }
}

function numberBetween(value: unknown, min: number, max: number, field: string, violations: DomainViolation[]): value is number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) {
    return true;
  }
  violations.push({ field, message: `must be a number from ${min} to ${max}, got ${describeValue(value)}` });
  return false;
}

function integerBetween(value: unknown, min: number, max: number, field: string, violations: DomainViolation[]): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    violations.push({ field, message: `must be an integer from ${min} to ${max}, got ${describeValue(value)}` });
  }
}
