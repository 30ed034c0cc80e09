import { TrafficRuleAction, TrafficRuleCondition } from '../rollouts/traffic-rules';
import { ANALYSIS_JUDGES, MAX_STEPS, MAX_THRESHOLD, MAX_THRESHOLD_RULES, THRESHOLD_METRICS } from '../rollouts/rollout-spec';
import { DURATION_SCHEMA, JsonSchema, objectOf } from './json-schema';

const GROUP_NAME: JsonSchema = { type: 'string', minLength: 1, maxLength: 200 };
const THRESHOLD: JsonSchema = { type: 'number', minimum: 0, maximum: MAX_THRESHOLD };

const THRESHOLD_RULE_SCHEMA: JsonSchema = objectOf(
  { metric: { type: 'string', enum: THRESHOLD_METRICS }, max: THRESHOLD, maxRatioToStable: THRESHOLD, ratioFloor: THRESHOLD },
  ['metric'],
  { description: 'Fails the canary when its metric is above `max`, or above `maxRatioToStable` × the stable\'s (and above `ratioFloor`); set max, maxRatioToStable or both' },
);

const STEP_SCHEMA: JsonSchema = {
  description: 'Exactly one of setWeight (percent of traffic on the canary), pause (until promoted, or for a duration), analysis (a judged window)',
  oneOf: [
    objectOf({ setWeight: { type: 'number', minimum: 0, maximum: 100 } }, ['setWeight']),
    objectOf({ pause: objectOf({ duration: DURATION_SCHEMA }) }, ['pause']),
    objectOf(
      {
        analysis: objectOf(
          {
            window: DURATION_SCHEMA,
            judge: { type: 'string', enum: ANALYSIS_JUDGES, default: 'default' },
            minSamples: { type: 'integer', minimum: 1, maximum: 10_000_000, default: 100 },
            rules: { type: 'array', minItems: 1, maxItems: MAX_THRESHOLD_RULES, items: THRESHOLD_RULE_SCHEMA },
          },
          ['window'],
        ),
      },
      ['analysis'],
    ),
  ],
};

const ROLLBACK_TRIGGER_SCHEMA: JsonSchema = objectOf(
  {
    when: { type: 'string', minLength: 1, maxLength: 500, example: 'error_rate(canary) > 2 * error_rate(stable) and error_rate(canary) > 0.01', description: 'judge == Fail, anomaly(severity >= high, scope = canary), or comparisons of error_rate, latency_mean_ms, latency_p99_ms of (canary) or (stable) joined by "and"' },
    for: { ...DURATION_SCHEMA, description: 'How long a KPI condition must hold (0s to 1h)' },
    minRequests: { type: 'integer', minimum: 1, maximum: 10_000_000, description: 'Requests the canary must have served for a KPI condition to count' },
  },
  ['when'],
);

/** The `spec` of a Rollout (rollout-spec.ts: rolloutSpecViolations). */
export const ROLLOUT_SPEC_SCHEMA: JsonSchema = objectOf(
  {
    environment: GROUP_NAME,
    versionGroup: { ...GROUP_NAME, description: 'The canary version group' },
    steps: { type: 'array', minItems: 1, maxItems: MAX_STEPS, items: STEP_SCHEMA },
    rollbackTriggers: { type: 'array', maxItems: 20, items: ROLLBACK_TRIGGER_SCHEMA },
  },
  ['environment', 'versionGroup', 'steps'],
  { example: { environment: 'production', versionGroup: 'checkout-2026.11.3', steps: [{ setWeight: 5 }, { analysis: { window: '30s', minSamples: 200 } }, { pause: {} }, { setWeight: 100 }] } },
);

/** The canary of a deploy: a Rollout spec's steps and triggers (the deploy gives the environment and the group). */
export const CANARY_SPEC_SCHEMA: JsonSchema = objectOf(
  { steps: ROLLOUT_SPEC_SCHEMA.properties?.['steps'] as JsonSchema, rollbackTriggers: ROLLOUT_SPEC_SCHEMA.properties?.['rollbackTriggers'] as JsonSchema },
  ['steps'],
  { example: { steps: [{ setWeight: 10 }, { analysis: { window: '30s' } }, { setWeight: 100 }], rollbackTriggers: [{ when: 'judge == Fail' }] } },
);

const METRIC: JsonSchema = { type: 'string', enum: THRESHOLD_METRICS };
const LIMIT: JsonSchema = { type: 'number', minimum: 0, maximum: 1_000_000_000 };

/** A traffic rule's `condition` (traffic-rules.ts: trafficRuleViolations). */
export const TRAFFIC_RULE_CONDITION_SCHEMA: JsonSchema = {
  description: "threshold: one config's metric above a limit; ratio: the canary's above `above` × the stable's and above `floor`",
  oneOf: [
    objectOf({ kind: { type: 'string', enum: ['threshold'] satisfies TrafficRuleCondition['kind'][] }, metric: METRIC, config: { type: 'string', enum: ['canary', 'stable'] }, above: LIMIT }, ['kind', 'metric', 'config', 'above']),
    objectOf({ kind: { type: 'string', enum: ['ratio'] satisfies TrafficRuleCondition['kind'][] }, metric: METRIC, above: LIMIT, floor: LIMIT }, ['kind', 'metric', 'above', 'floor']),
  ],
  example: { kind: 'ratio', metric: 'errorRate', above: 2, floor: 0.01 },
};

/** A traffic rule's `action`: traffic shaping only (aborting a rollout is a rollback trigger's job). */
export const TRAFFIC_RULE_ACTION_SCHEMA: JsonSchema = objectOf(
  {
    kind: { type: 'string', enum: ['setWeights'] satisfies TrafficRuleAction['kind'][] },
    weights: { type: 'object', maxProperties: 100, additionalProperties: { type: 'number', minimum: 0, maximum: 1_000_000 }, description: 'stack config name → weight' },
  },
  ['kind', 'weights'],
  { example: { kind: 'setWeights', weights: { 'checkout-2026.11.2': 100, 'checkout-2026.11.3': 0 } } },
);
