import { unknownKeyViolations } from '../components/validation';
import { resourceNameProblem } from '../stacks/names';
import { ThresholdMetric } from './rollout-spec';
import { AnalysisFigures, WindowFigures } from './threshold-judge';

/** When a rule breaches: one config's KPI above a limit, or the canary's above a multiple of the stable's. */
export type TrafficRuleCondition =
  | { kind: 'threshold'; metric: ThresholdMetric; config: 'canary' | 'stable'; above: number }
  | { kind: 'ratio'; metric: ThresholdMetric; above: number; floor: number };

/** Traffic shaping only: aborting a rollout is a rollback trigger's job (the rollback service watches a Rollout's `rollbackTriggers`). */
export type TrafficRuleAction = { kind: 'setWeights'; weights: Record<string, number> } | { kind: 'ejectNode'; node: string };

/** A traffic-shaping rule (the patent's manager node): a condition over KPI windows held for a while → an action on the traffic. */
export interface TrafficRule {
  name: string;
  condition: TrafficRuleCondition;
  /** How long the condition must hold before acting; 0 acts on the first breaching window. */
  forMs: number;
  action: TrafficRuleAction;
}

export interface TrafficRuleTracking {
  breachingSince: number | null;
  /** Set when the action fired; the rule fires once per breach, not once per window. */
  firedAt: number | null;
}

export interface TrafficRuleEvaluation {
  tracking: TrafficRuleTracking;
  fire: boolean;
  finding: string;
}

export const IDLE_RULE_TRACKING: TrafficRuleTracking = { breachingSince: null, firedAt: null };

function valueOf(metric: ThresholdMetric, figures: WindowFigures): number | null {
  if (metric === 'errorRate') {
    return figures.requests === 0 ? null : figures.errors / figures.requests;
  }
  return figures.latencyP99Ms;
}

/** `breached` undefined: nothing measured, which neither starts nor clears a breach. */
function breach(condition: TrafficRuleCondition, figures: AnalysisFigures): { breached: boolean | undefined; finding: string } {
  if (condition.kind === 'threshold') {
    const value = valueOf(condition.metric, figures[condition.config]);
    if (value === null) {
      return { breached: undefined, finding: `${condition.metric} of the ${condition.config} config: no measurement` };
    }
    return { breached: value > condition.above, finding: `${condition.metric} of the ${condition.config} config is ${value} (limit ${condition.above})` };
  }
  const canary = valueOf(condition.metric, figures.canary);
  const stable = valueOf(condition.metric, figures.stable);
  if (canary === null || stable === null) {
    return { breached: undefined, finding: `${condition.metric}: no measurement of canary and stable to compare` };
  }
  return {
    breached: canary > condition.floor && canary > condition.above * stable,
    finding: `${condition.metric} of the canary is ${canary}, the stable's ${stable} (limit ${condition.above} × stable above ${condition.floor})`,
  };
}

/**
 * Folds one KPI window into a rule's tracking. The rule fires once when its condition has held
 * for `forMs`; a window without the breach resets it, so a flapping KPI never accumulates. A window
 * without measurements (one config's figures not in yet) leaves the tracking as it was.
 */
export function evaluateTrafficRule(rule: TrafficRule, tracking: TrafficRuleTracking, figures: AnalysisFigures, now: number): TrafficRuleEvaluation {
  const { breached, finding } = breach(rule.condition, figures);
  if (breached === undefined) {
    return { tracking, fire: false, finding };
  }
  if (!breached) {
    return { tracking: IDLE_RULE_TRACKING, fire: false, finding };
  }
  const breachingSince = tracking.breachingSince ?? now;
  const held = now - breachingSince >= rule.forMs;
  const fire = held && tracking.firedAt === null;
  return { tracking: { breachingSince, firedAt: fire ? now : tracking.firedAt }, fire, finding };
}

export const RULE_METRICS: readonly ThresholdMetric[] = ['errorRate', 'latencyP99Ms'];
/** The largest limit a rule compares with: beyond any error rate, ratio or latency in milliseconds. */
export const MAX_RULE_LIMIT = 1_000_000_000;
export const MAX_WEIGHTED_CONFIGS = 100;

function isLimit(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= MAX_RULE_LIMIT;
}

/** Every violation of a traffic rule as the API takes it, each with its field path. */
export function trafficRuleViolations(value: unknown): { field: string; message: string }[] {
  const violations: { field: string; message: string }[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ field: '', message: 'must be an object {name, condition, forMs, action}' }];
  }
  const rule = value as Record<string, unknown>;
  // Named like every other resource: it travels in URLs (DELETE …/traffic-rules/{name}) and in the actor of what it changes.
  const nameProblem = resourceNameProblem(rule['name']);
  if (nameProblem) violations.push({ field: 'name', message: nameProblem });
  const forMs = rule['forMs'];
  if (typeof forMs !== 'number' || !Number.isInteger(forMs) || forMs < 0 || forMs > 86_400_000) {
    violations.push({ field: 'forMs', message: 'must be an integer from 0 to 86400000' });
  }
  const condition = rule['condition'] as Record<string, unknown> | null | undefined;
  if (typeof condition !== 'object' || condition === null) {
    violations.push({ field: 'condition', message: 'must be an object' });
  } else {
    if (!RULE_METRICS.includes(condition['metric'] as ThresholdMetric)) {
      violations.push({ field: 'condition.metric', message: `must be one of ${RULE_METRICS.join(', ')}` });
    }
    if (!isLimit(condition['above'])) {
      violations.push({ field: 'condition.above', message: `must be a number from 0 to ${MAX_RULE_LIMIT}` });
    }
    if (condition['kind'] === 'threshold' || condition['kind'] === 'ratio') {
      const keys = condition['kind'] === 'threshold' ? ['kind', 'metric', 'config', 'above'] : ['kind', 'metric', 'above', 'floor'];
      violations.push(...unknownKeyViolations(condition, keys, 'condition'));
    }
    if (condition['kind'] === 'threshold') {
      if (condition['config'] !== 'canary' && condition['config'] !== 'stable') {
        violations.push({ field: 'condition.config', message: 'must be canary or stable' });
      }
    } else if (condition['kind'] === 'ratio') {
      if (!isLimit(condition['floor'])) {
        violations.push({ field: 'condition.floor', message: `must be a number from 0 to ${MAX_RULE_LIMIT}` });
      }
    } else {
      violations.push({ field: 'condition.kind', message: 'must be threshold or ratio' });
    }
  }
  const action = rule['action'] as Record<string, unknown> | null | undefined;
  if (typeof action !== 'object' || action === null) {
    violations.push({ field: 'action', message: 'must be an object' });
  } else if (action['kind'] === 'setWeights') {
    violations.push(...unknownKeyViolations(action, ['kind', 'weights'], 'action'));
    const weights = action['weights'];
    if (
      typeof weights !== 'object' ||
      weights === null ||
      Array.isArray(weights) ||
      Object.keys(weights).length > MAX_WEIGHTED_CONFIGS ||
      Object.entries(weights).some(([name, weight]) => name === '' || name.length > 200 || typeof weight !== 'number' || !(weight >= 0 && weight <= 1_000_000))
    ) {
      violations.push({ field: 'action.weights', message: `must map at most ${MAX_WEIGHTED_CONFIGS} stack config names to weights from 0 to 1000000` });
    }
  } else if (action['kind'] === 'ejectNode') {
    // Gateways eject by their own outlier detection; they take no ejection command yet.
    violations.push({ field: 'action.kind', message: 'ejectNode is not supported yet: gateways eject failing nodes by outlier detection' });
  } else if (action['kind'] === 'abortRollout') {
    // The rule's old action, named so whoever still sends it learns where it went.
    violations.push({ field: 'action.kind', message: "abortRollout is not a traffic rule's action: aborting a rollout is a rollback trigger's job; declare it in the Rollout's spec.rollbackTriggers" });
  } else {
    violations.push({ field: 'action.kind', message: 'must be setWeights' });
  }
  return violations;
}
