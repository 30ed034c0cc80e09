import { DomainError, DomainViolation } from '../errors/domain-error';
import { parseDuration } from '../components/duration';
import { describeValue, fieldPath, isNonBlankString, requireObject, unknownKeyViolations } from '../components/validation';
import { RollbackTrigger, parseRollbackTriggers, rollbackTriggersViolations } from './rollback-triggers';

/** A KPI the threshold judge compares between the canary and the stable config. */
export type ThresholdMetric = 'errorRate' | 'latencyP99Ms';

/**
 * One threshold rule: the canary fails when its value exceeds `max`, or when it exceeds
 * `maxRatioToStable` times the stable value while also above `ratioFloor` (so a canary at 0.2 %
 * errors against a stable at 0.05 % is not failed for noise).
 */
export interface ThresholdRule {
  metric: ThresholdMetric;
  max?: number;
  maxRatioToStable?: number;
  ratioFloor?: number;
}

/**
 * `default`: the statistical canary judge (error rate and latency of canary vs stable over the
 * window), plus the step's threshold rules if it has any. `thresholds`: the threshold rules alone.
 */
export type AnalysisJudge = 'default' | 'thresholds';

export const ANALYSIS_JUDGES: readonly AnalysisJudge[] = ['default', 'thresholds'];

export type RolloutStep =
  | { kind: 'setWeight'; weight: number }
  /** `durationMs` undefined: paused until someone promotes. */
  | { kind: 'pause'; durationMs?: number }
  /** `minSamples`: requests each side must have served in the window, else the analysis is inconclusive. */
  | { kind: 'analysis'; windowMs: number; judge: AnalysisJudge; minSamples: number; rules: ThresholdRule[] };

export interface RolloutSpec {
  environment: string;
  /** The canary version group. */
  versionGroup: string;
  steps: RolloutStep[];
  /** Conditions that abort the rollout as soon as they hold (rollback-triggers.ts). */
  rollbackTriggers: RollbackTrigger[];
}

export const DEFAULT_MIN_SAMPLES = 100;
/** The rule of the `thresholds` judge when the step names none: DESIGN.md's example trigger. */
export const DEFAULT_THRESHOLD_RULES: readonly ThresholdRule[] = [{ metric: 'errorRate', maxRatioToStable: 2, ratioFloor: 0.01 }];

export const THRESHOLD_METRICS: readonly ThresholdMetric[] = ['errorRate', 'latencyP99Ms'];
const METRICS = THRESHOLD_METRICS;
export const MAX_STEPS = 100;
export const MAX_THRESHOLD_RULES = 20;
/** The largest limit a threshold rule compares with: beyond any error rate, ratio or latency in milliseconds. */
export const MAX_THRESHOLD = 1_000_000_000;

/** Every violation of a Rollout manifest's `spec`, each with its field path; empty when valid. */
export function rolloutSpecViolations(value: unknown): DomainViolation[] {
  const violations: DomainViolation[] = [];
  if (!requireObject(value, '', violations)) {
    return violations;
  }
  violations.push(...unknownKeyViolations(value, ['environment', 'versionGroup', 'steps', 'rollbackTriggers'], ''));
  for (const field of ['environment', 'versionGroup'] as const) {
    if (!isNonBlankString(value[field]) || value[field].length > 200) {
      violations.push({ field, message: `must be a non-blank name of at most 200 characters, got ${describeValue(value[field])}` });
    }
  }
  const steps = value['steps'];
  if (!Array.isArray(steps) || steps.length === 0 || steps.length > MAX_STEPS) {
    violations.push({ field: 'steps', message: `must be a list of 1 to ${MAX_STEPS} steps, got ${describeValue(steps)}` });
    return violations;
  }
  steps.forEach((step: unknown, index) => stepViolations(step, fieldPath('steps', index), violations));
  if (value['rollbackTriggers'] !== undefined) {
    violations.push(...rollbackTriggersViolations(value['rollbackTriggers'], 'rollbackTriggers'));
  }
  return violations;
}

/** Validates a Rollout manifest's `spec`; throws an invalid-input DomainError listing every violation. */
export function parseRolloutSpec(value: unknown): RolloutSpec {
  const violations = rolloutSpecViolations(value);
  if (violations.length > 0) {
    throw DomainError.invalid(`the rollout spec has ${violations.length} violation(s)`, violations);
  }
  const spec = value as { environment: string; versionGroup: string; steps: Record<string, unknown>[]; rollbackTriggers?: { when: string; for?: string; minRequests?: number }[] };
  return { environment: spec.environment, versionGroup: spec.versionGroup, steps: spec.steps.map(parseStep), rollbackTriggers: parseRollbackTriggers(spec.rollbackTriggers ?? []) };
}

function parseStep(step: Record<string, unknown>): RolloutStep {
  if ('setWeight' in step) {
    return { kind: 'setWeight', weight: step['setWeight'] as number };
  }
  if ('pause' in step) {
    const duration = (step['pause'] as { duration?: string }).duration;
    return duration === undefined ? { kind: 'pause' } : { kind: 'pause', durationMs: parseDuration(duration) as number };
  }
  const analysis = step['analysis'] as { window: string; judge?: AnalysisJudge; minSamples?: number; rules?: ThresholdRule[] };
  const judge = analysis.judge ?? 'default';
  return {
    kind: 'analysis',
    windowMs: parseDuration(analysis.window) as number,
    judge,
    minSamples: analysis.minSamples ?? DEFAULT_MIN_SAMPLES,
    rules: analysis.rules ?? (judge === 'thresholds' ? [...DEFAULT_THRESHOLD_RULES] : []),
  };
}

function stepViolations(step: unknown, field: string, violations: DomainViolation[]): void {
  if (!requireObject(step, field, violations)) {
    return;
  }
  const kinds = ['setWeight', 'pause', 'analysis'].filter((kind) => kind in step);
  if (kinds.length !== 1) {
    violations.push({ field, message: 'must hold exactly one of setWeight, pause, analysis' });
    return;
  }
  const [kind] = kinds;
  violations.push(...unknownKeyViolations(step, [kind], field));
  const body = step[kind];
  if (kind === 'setWeight') {
    if (typeof body !== 'number' || !Number.isFinite(body) || body < 0 || body > 100) {
      violations.push({ field: `${field}.setWeight`, message: `must be a percentage from 0 to 100, got ${describeValue(body)}` });
    }
    return;
  }
  if (!requireObject(body, `${field}.${kind}`, violations)) {
    return;
  }
  if (kind === 'pause') {
    violations.push(...unknownKeyViolations(body, ['duration'], `${field}.pause`));
    if (body['duration'] !== undefined) {
      durationViolation(body['duration'], `${field}.pause.duration`, violations);
    }
    return;
  }
  const path = `${field}.analysis`;
  violations.push(...unknownKeyViolations(body, ['window', 'judge', 'minSamples', 'rules'], path));
  durationViolation(body['window'], `${path}.window`, violations);
  if (body['judge'] !== undefined && !ANALYSIS_JUDGES.includes(body['judge'] as AnalysisJudge)) {
    violations.push({ field: `${path}.judge`, message: `must be one of ${ANALYSIS_JUDGES.join(', ')}, got ${describeValue(body['judge'])}` });
  }
  const minSamples = body['minSamples'];
  if (minSamples !== undefined && (typeof minSamples !== 'number' || !Number.isInteger(minSamples) || minSamples < 1 || minSamples > 10_000_000)) {
    violations.push({ field: `${path}.minSamples`, message: `must be an integer from 1 to 10000000, got ${describeValue(minSamples)}` });
  }
  if (body['rules'] !== undefined) {
    thresholdRulesViolations(body['rules'], `${path}.rules`, violations);
  }
}

function durationViolation(value: unknown, field: string, violations: DomainViolation[]): void {
  const milliseconds = typeof value === 'string' ? parseDuration(value) : undefined;
  if (milliseconds === undefined || milliseconds <= 0) {
    violations.push({ field, message: `must be a positive duration such as 30s or 2m, got ${describeValue(value)}` });
  }
}

export function thresholdRulesViolations(rules: unknown, field: string, violations: DomainViolation[]): void {
  if (!Array.isArray(rules) || rules.length === 0 || rules.length > MAX_THRESHOLD_RULES) {
    violations.push({ field, message: `must be a list of 1 to ${MAX_THRESHOLD_RULES} threshold rules, got ${describeValue(rules)}` });
    return;
  }
  rules.forEach((rule: unknown, index) => {
    const path = fieldPath(field, index);
    if (!requireObject(rule, path, violations)) {
      return;
    }
    violations.push(...unknownKeyViolations(rule, ['metric', 'max', 'maxRatioToStable', 'ratioFloor'], path));
    if (!METRICS.includes(rule['metric'] as ThresholdMetric)) {
      violations.push({ field: `${path}.metric`, message: `must be one of ${METRICS.join(', ')}, got ${describeValue(rule['metric'])}` });
    }
    for (const limit of ['max', 'maxRatioToStable', 'ratioFloor'] as const) {
      const limitValue = rule[limit];
      if (limitValue !== undefined && (typeof limitValue !== 'number' || !Number.isFinite(limitValue) || limitValue < 0 || limitValue > MAX_THRESHOLD)) {
        violations.push({ field: `${path}.${limit}`, message: `must be a number from 0 to ${MAX_THRESHOLD}, got ${describeValue(limitValue)}` });
      }
    }
    if (rule['max'] === undefined && rule['maxRatioToStable'] === undefined) {
      violations.push({ field: path, message: 'must set max, maxRatioToStable or both, or the rule could never fail' });
    }
  });
}
