import Ajv from 'ajv';
import { trafficRuleViolations } from '../rollouts/traffic-rules';
import { rolloutSpecViolations } from '../rollouts/rollout-spec';
import { routingPolicyViolations } from '../routing/routing-policy';
import { JsonSchema } from './json-schema';
import { ROUTING_LIMITS, ROUTING_POLICY_SCHEMA } from './routing-policy.schema';
import { TRAFFIC_RULE_ACTION_SCHEMA, TRAFFIC_RULE_CONDITION_SCHEMA, ROLLOUT_SPEC_SCHEMA } from './rollout-spec.schema';

/**
 * The schemas the API document shows and the validators that enforce the rules must agree: every
 * case below is accepted by both or refused by both. A case refused only by the validator is a
 * rule no schema can state (a reference to another field, a sum); those are listed apart.
 */
function accepts(schema: JsonSchema): (value: unknown) => boolean {
  const validate = new Ajv({ allErrors: true }).compile(structuredClone(schema) as object);
  return (value) => validate(value) === true;
}

const policy = (extra: Record<string, unknown> = {}) => ({
  component: 'checkout-api',
  stableConfig: 'v1',
  stackConfigs: [
    { name: 'v1', weight: 90, nodes: [{ id: 'a', url: 'http://10.0.0.5:8080', version: '1.0.0' }] },
    { name: 'v2', weight: 10 },
  ],
  ...extra,
});

describe('the routing policy schema and its validator', () => {
  const schema = accepts(ROUTING_POLICY_SCHEMA);
  const agree = (value: unknown) => expect({ schema: schema(value), validator: routingPolicyViolations(value).length === 0 }).toEqual({ schema: expect.any(Boolean), validator: schema(value) });

  it.each([
    ['a minimal policy', policy()],
    ['every optional part', policy({
      rules: [{ match: { header: 'x-canary', value: '1' }, stackConfig: 'v2' }, { match: { cookie: 'beta', value: 'yes' }, stackConfig: 'v2' }, { match: { pathPrefix: '/beta' }, stackConfig: 'v2' }],
      stickiness: { cookie: 'session' },
      retryBudget: { ratio: 0.2, minRetriesPerSecond: 10 },
      mirror: { stackConfig: 'v2', sampleRate: 0.05 },
      networkPolicy: { allow: [{ from: { header: 'x-team', values: ['a'] }, to: 'checkout-api' }, { from: { cidr: '10.0.0.0/8' }, to: 'checkout-api' }, { from: { component: 'web' }, to: 'checkout-api' }], default: 'deny' },
      outlierDetection: { consecutiveFailures: 5, baseEjectionMs: 1000, maxEjectionMs: 30000 },
      healthCheck: { path: '/healthz', intervalMs: 5000 },
      nodeWeights: { a: 80, '10.0.0.6:8080': 20, drained: 0, fractional: 0.5 },
    })],
    ['a mirror to the stable config with its own node weights', policy({ mirror: { stackConfig: 'v1', sampleRate: 0.1, nodeWeights: { a: 20, b: 80 } } })],
  ])('both accept %s', (_, value) => {
    expect(schema(value)).toBe(true);
    expect(routingPolicyViolations(value)).toEqual([]);
  });

  it.each([
    ['an unknown field', policy({ surprise: 1 })],
    ['a component that is not a name', policy({ component: 'Checkout API' })],
    ['no stack configs', policy({ stackConfigs: [] })],
    ['too many stack configs', policy({ stackConfigs: Array.from({ length: ROUTING_LIMITS.stackConfigs + 1 }, (_, index) => ({ name: `v${index}`, weight: 1, nodes: [{ id: `n${index}`, url: 'http://10.0.0.5:8080' }] })), stableConfig: 'v0' })],
    ['a negative weight', policy({ stackConfigs: [{ name: 'v1', weight: -1, nodes: [{ id: 'a', url: 'http://10.0.0.5:8080' }] }] })],
    ['a node URL with a path', policy({ stackConfigs: [{ name: 'v1', weight: 1, nodes: [{ id: 'a', url: 'http://10.0.0.5:8080/api' }] }] })],
    ['too many nodes', policy({ stackConfigs: [{ name: 'v1', weight: 1, nodes: Array.from({ length: ROUTING_LIMITS.nodesPerStackConfig + 1 }, (_, index) => ({ id: `n${index}`, url: 'http://10.0.0.5:8080' })) }] })],
    ['a match of two kinds', policy({ rules: [{ match: { header: 'x', cookie: 'y', value: '1' }, stackConfig: 'v2' }] })],
    ['a match value too long', policy({ rules: [{ match: { header: 'x', value: 'v'.repeat(ROUTING_LIMITS.matchValueLength + 1) }, stackConfig: 'v2' }] })],
    ['a path prefix without /', policy({ rules: [{ match: { pathPrefix: 'beta' }, stackConfig: 'v2' }] })],
    ['too many rules', policy({ rules: Array.from({ length: ROUTING_LIMITS.rules + 1 }, () => ({ match: { pathPrefix: '/b' }, stackConfig: 'v2' })) })],
    ['stickiness by both', policy({ stickiness: { header: 'a', cookie: 'b' } })],
    ['a header name that is not a token', policy({ stickiness: { header: 'a b' } })],
    ['a retry ratio above 1', policy({ retryBudget: { ratio: 2, minRetriesPerSecond: 1 } })],
    ['a sample rate above 1', policy({ mirror: { stackConfig: 'v2', sampleRate: 1.5 } })],
    ['mirror node weights that are negative', policy({ mirror: { stackConfig: 'v1', sampleRate: 0.1, nodeWeights: { a: -1 } } })],
    ['a fractional failure count', policy({ outlierDetection: { consecutiveFailures: 1.5, baseEjectionMs: 1, maxEjectionMs: 2 } })],
    ['a health check interval below 100 ms', policy({ healthCheck: { path: '/h', intervalMs: 10 } })],
    ['a health check path with a space', policy({ healthCheck: { path: '/a b', intervalMs: 1000 } })],
    ['a network default that is neither', policy({ networkPolicy: { allow: [], default: 'maybe' } })],
    ['a peer of two kinds', policy({ networkPolicy: { allow: [{ from: { cidr: '10.0.0.0/8', component: 'web' }, to: 'checkout-api' }] } })],
    ['too many header values', policy({ networkPolicy: { allow: [{ from: { header: 'x', values: Array(ROUTING_LIMITS.headerValues + 1).fill('a') }, to: 'checkout-api' }] } })],
    ['a negative node weight', policy({ nodeWeights: { a: -1, b: 5 } })],
    ['a node weight above the limit', policy({ nodeWeights: { a: 1_000_001 } })],
    ['a node weight that is a string', policy({ nodeWeights: { a: '80' } })],
    ['node weights as a list', policy({ nodeWeights: [{ a: 80 }] })],
    ['empty node weights', policy({ nodeWeights: {} })],
  ])('both refuse %s', (_, value) => {
    expect(schema(value)).toBe(false);
    expect(routingPolicyViolations(value)).not.toEqual([]);
    agree(value);
  });

  it.each([
    ['a stable config that is not listed', policy({ stableConfig: 'v9' })],
    ['two stack configs of one name', policy({ stackConfigs: [{ name: 'v1', weight: 1, nodes: [{ id: 'a', url: 'http://10.0.0.5:8080' }] }, { name: 'v1', weight: 1, nodes: [{ id: 'b', url: 'http://10.0.0.6:8080' }] }] })],
    ['weights that add up to 0', policy({ stackConfigs: [{ name: 'v1', weight: 0, nodes: [{ id: 'a', url: 'http://10.0.0.5:8080' }] }] })],
    ['mirroring to the stable config', policy({ mirror: { stackConfig: 'v1', sampleRate: 0.1 } })],
    ['node weights all at 0', policy({ nodeWeights: { a: 0, b: 0 } })],
    ['a blank node id', policy({ nodeWeights: { ' ': 10 } })],
  ])('leaves to the validator a rule across fields: %s', (_, value) => {
    expect(schema(value)).toBe(true);
    expect(routingPolicyViolations(value)).not.toEqual([]);
  });
});

describe('the rollout spec schema and its validator', () => {
  const schema = accepts(ROLLOUT_SPEC_SCHEMA);
  const spec = (extra: Record<string, unknown> = {}) => ({ environment: 'production', versionGroup: 'checkout-2026.11.3', steps: [{ setWeight: 5 }, { analysis: { window: '30s', minSamples: 200 } }, { pause: {} }, { setWeight: 100 }], ...extra });

  it.each([
    ['the documented example', ROLLOUT_SPEC_SCHEMA.example],
    ['every step kind and a trigger', spec({ steps: [{ setWeight: 10 }, { pause: { duration: '1m30s' } }, { analysis: { window: '2m', judge: 'thresholds', rules: [{ metric: 'errorRate', maxRatioToStable: 2, ratioFloor: 0.01 }] } }], rollbackTriggers: [{ when: 'judge == Fail' }, { when: 'error_rate(canary) > 0.05', for: '10s', minRequests: 50 }] })],
  ])('both accept %s', (_, value) => {
    expect(schema(value)).toBe(true);
    expect(rolloutSpecViolations(value)).toEqual([]);
  });

  it.each([
    ['no steps', spec({ steps: [] })],
    ['a step of two kinds', spec({ steps: [{ setWeight: 5, pause: {} }] })],
    ['a weight above 100', spec({ steps: [{ setWeight: 101 }] })],
    ['a duration that is not one', spec({ steps: [{ pause: { duration: 'soon' } }] })],
    ['an unknown judge', spec({ steps: [{ analysis: { window: '30s', judge: 'vibes' } }] })],
    ['a fractional minSamples', spec({ steps: [{ analysis: { window: '30s', minSamples: 2.5 } }] })],
    ['a threshold rule on an unknown metric', spec({ steps: [{ analysis: { window: '30s', rules: [{ metric: 'cpu', max: 1 }] } }] })],
    ['a negative threshold', spec({ steps: [{ analysis: { window: '30s', rules: [{ metric: 'errorRate', max: -1 }] } }] })],
    ['too many triggers', spec({ rollbackTriggers: Array(21).fill({ when: 'judge == Fail' }) })],
    ['an unknown field', spec({ canary: true })],
    ['a versionGroup too long', spec({ versionGroup: 'g'.repeat(201) })],
  ])('both refuse %s', (_, value) => {
    expect(schema(value)).toBe(false);
    expect(rolloutSpecViolations(value)).not.toEqual([]);
  });
});

describe('the traffic rule condition and action schemas and their validator', () => {
  const condition = accepts(TRAFFIC_RULE_CONDITION_SCHEMA);
  const action = accepts(TRAFFIC_RULE_ACTION_SCHEMA);
  const rule = (parts: Record<string, unknown>) => trafficRuleViolations({ name: 'r', forMs: 0, condition: { kind: 'ratio', metric: 'errorRate', above: 2, floor: 0.01 }, action: { kind: 'setWeights', weights: { v1: 100 } }, ...parts });

  it.each([
    [{ kind: 'ratio', metric: 'errorRate', above: 2, floor: 0.01 }, true],
    [{ kind: 'threshold', metric: 'latencyP99Ms', config: 'canary', above: 250 }, true],
    [{ kind: 'threshold', metric: 'latencyP99Ms', above: 250 }, false],
    [{ kind: 'ratio', metric: 'errorRate', above: 2, floor: 0.01, config: 'canary' }, false],
    [{ kind: 'ratio', metric: 'cpu', above: 2, floor: 0 }, false],
    [{ kind: 'ratio', metric: 'errorRate', above: 2e9, floor: 0 }, false],
    [{ kind: 'spike', metric: 'errorRate', above: 2 }, false],
  ])('agree on condition %j (%s)', (value, valid) => {
    expect(condition(value)).toBe(valid);
    expect(rule({ condition: value }).length === 0).toBe(valid);
  });

  it.each([
    [{ kind: 'setWeights', weights: { v1: 100, v2: 0 } }, true],
    [{ kind: 'abortRollout' }, false],
    [{ kind: 'setWeights', weights: { v1: -1 } }, false],
    [{ kind: 'setWeights', weights: Object.fromEntries(Array.from({ length: 101 }, (_, index) => [`v${index}`, 1])) }, false],
    [{ kind: 'abortRollout', weights: {} }, false],
    [{ kind: 'reboot' }, false],
  ])('agree on action %j (%s)', (value, valid) => {
    expect(action(value)).toBe(valid);
    expect(rule({ action: value }).length === 0).toBe(valid);
  });
});
