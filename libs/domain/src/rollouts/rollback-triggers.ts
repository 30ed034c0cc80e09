import { DomainViolation } from '../errors/domain-error';
import { parseDuration } from '../components/duration';
import { describeValue, fieldPath, requireObject, unknownKeyViolations } from '../components/validation';

/**
 * The rollback triggers of a Rollout: conditions that abort it (traffic back on the stable config)
 * the moment they hold, between and during its analysis steps. Three forms, written as the
 * example manifest writes them:
 *
 * - `judge == Fail`: a failed analysis aborts. Always on (a failing canary is never promoted);
 *   listing it says so explicitly.
 * - a KPI condition over the canary's and the stable config's latest KPI windows, e.g.
 *   `error_rate(canary) > 2 * error_rate(stable) and error_rate(canary) > 0.01`, with `for:` (how
 *   long it must hold: that many seconds of consecutive windows, at least one) and `minRequests`
 *   (requests the canary must have served in those windows for them to count, default 10; the
 *   rollback service also decides each comparison with confidence, so 1 error in 3 requests is not
 *   a 33 % error rate).
 *   Terms: `error_rate`, `latency_mean_ms`, `latency_p99_ms` of `canary` or `stable`, numbers,
 *   `number * term`; comparisons `>`, `>=`, `<`, `<=`; joined by `and`.
 * - `anomaly(severity >= high, scope = canary)`: an anomaly the detector raises on a canary
 *   series at that severity or above.
 *
 * Anything else is refused at apply time, naming the field: a trigger accepted and not honoured
 * would be worse than none.
 */
export type RollbackTrigger =
  | { kind: 'judge'; when: string }
  | { kind: 'condition'; when: string; condition: TriggerCondition; forMs: number; minRequests: number }
  | { kind: 'anomaly'; when: string; minSeverity: AnomalySeverity };

export type TriggerMetric = 'error_rate' | 'latency_mean_ms' | 'latency_p99_ms';
export type TriggerSide = 'canary' | 'stable';
export type TriggerOperator = '>' | '>=' | '<' | '<=';
export type AnomalySeverity = 'low' | 'medium' | 'high' | 'critical';

export const ANOMALY_SEVERITIES: readonly AnomalySeverity[] = ['low', 'medium', 'high', 'critical'];
const METRICS: readonly TriggerMetric[] = ['error_rate', 'latency_mean_ms', 'latency_p99_ms'];
const OPERATORS: readonly TriggerOperator[] = ['>=', '<=', '>', '<'];
/**
 * Low because the evidence is weighed anyway (see conditionHoldsConfidently): a canary failing
 * every request gets its node ejected by the gateway after a handful of them, and a floor of 50
 * would never be reached.
 */
export const DEFAULT_TRIGGER_MIN_REQUESTS = 10;
const MAX_TRIGGERS = 20;

/** `factor × metric(side)`, or a constant when `metric` is absent. */
export interface TriggerTerm {
  factor: number;
  metric?: TriggerMetric;
  side?: TriggerSide;
}

export interface TriggerComparison {
  left: TriggerTerm;
  operator: TriggerOperator;
  right: TriggerTerm;
}

/** Every comparison must hold. */
export interface TriggerCondition {
  comparisons: TriggerComparison[];
}

/** One side's figures over the windows a condition looks at; null where there was nothing to measure. */
export interface TriggerFigures {
  requests: number;
  errorRate: number | null;
  latencyMeanMs: number | null;
  latencyP99Ms: number | null;
}

const SYNTAX =
  'must be "judge == Fail", "anomaly(severity >= <low|medium|high|critical>, scope = canary)" or comparisons of error_rate, latency_mean_ms, latency_p99_ms of (canary) or (stable) joined by "and", e.g. "error_rate(canary) > 2 * error_rate(stable) and error_rate(canary) > 0.01"';

/** Parses one `when`; a string naming what is wrong when it is not one of the three forms. */
export function parseTriggerWhen(when: string): { form: 'judge' } | { form: 'anomaly'; minSeverity: AnomalySeverity } | { form: 'condition'; condition: TriggerCondition } | string {
  const text = when.trim();
  if (/^judge\s*==\s*fail$/i.test(text)) {
    return { form: 'judge' };
  }
  const anomaly = /^anomaly\s*\(\s*severity\s*>=\s*([a-z]+)\s*,\s*scope\s*=\s*([a-z]+)\s*\)$/i.exec(text);
  if (anomaly) {
    const severity = anomaly[1].toLowerCase() as AnomalySeverity;
    if (!ANOMALY_SEVERITIES.includes(severity)) {
      return `names severity '${anomaly[1]}'; it must be one of ${ANOMALY_SEVERITIES.join(', ')}`;
    }
    if (anomaly[2].toLowerCase() !== 'canary') {
      return `names scope '${anomaly[2]}'; only scope = canary is supported (an anomaly of the stable config is not the canary's fault)`;
    }
    return { form: 'anomaly', minSeverity: severity };
  }
  const comparisons: TriggerComparison[] = [];
  for (const part of text.split(/\s+and\s+/i)) {
    const comparison = parseComparison(part.trim());
    if (typeof comparison === 'string') {
      return comparison;
    }
    comparisons.push(comparison);
  }
  return { form: 'condition', condition: { comparisons } };
}

function parseComparison(text: string): TriggerComparison | string {
  for (const operator of OPERATORS) {
    const at = text.indexOf(operator);
    if (at > 0) {
      const left = parseTerm(text.slice(0, at).trim());
      const right = parseTerm(text.slice(at + operator.length).trim());
      if (typeof left === 'string') return left;
      if (typeof right === 'string') return right;
      if (left.metric === undefined && right.metric === undefined) {
        return `'${text}' compares two numbers; one side must be a metric`;
      }
      return { left, operator, right };
    }
  }
  return `'${text}' is not a comparison; it ${SYNTAX}`;
}

function parseTerm(text: string): TriggerTerm | string {
  if (/^\d+(\.\d+)?$/.test(text)) {
    return { factor: Number(text) };
  }
  const term = /^(?:(\d+(?:\.\d+)?)\s*\*\s*)?([a-z_0-9]+)\s*\(\s*([a-z]+)\s*\)$/i.exec(text);
  if (!term) {
    return `'${text}' is not a number, a metric or number * metric; it ${SYNTAX}`;
  }
  const metric = term[2].toLowerCase() as TriggerMetric;
  const side = term[3].toLowerCase() as TriggerSide;
  if (!METRICS.includes(metric)) {
    return `names metric '${term[2]}'; it must be one of ${METRICS.join(', ')}`;
  }
  if (side !== 'canary' && side !== 'stable') {
    return `names '${term[3]}'; a metric is of (canary) or (stable)`;
  }
  return { factor: term[1] === undefined ? 1 : Number(term[1]), metric, side };
}

/** Every violation of `rollbackTriggers`, named under `field`. */
export function rollbackTriggersViolations(value: unknown, field: string): DomainViolation[] {
  const violations: DomainViolation[] = [];
  if (!Array.isArray(value) || value.length > MAX_TRIGGERS) {
    return [{ field, message: `must be a list of at most ${MAX_TRIGGERS} triggers, got ${describeValue(value)}` }];
  }
  value.forEach((trigger: unknown, index) => {
    const path = fieldPath(field, index);
    if (!requireObject(trigger, path, violations)) {
      return;
    }
    violations.push(...unknownKeyViolations(trigger, ['when', 'for', 'minRequests'], path));
    const when = trigger['when'];
    if (typeof when !== 'string' || when.trim() === '' || when.length > 500) {
      violations.push({ field: `${path}.when`, message: `${SYNTAX}, got ${describeValue(when)}` });
      return;
    }
    const parsed = parseTriggerWhen(when);
    if (typeof parsed === 'string') {
      violations.push({ field: `${path}.when`, message: parsed });
      return;
    }
    if (parsed.form !== 'condition') {
      for (const key of ['for', 'minRequests'] as const) {
        if (trigger[key] !== undefined) {
          violations.push({ field: `${path}.${key}`, message: `applies only to a KPI condition, not to "${when}"` });
        }
      }
      return;
    }
    if (trigger['for'] !== undefined) {
      // The creating transition event carries `for` as written, up to 50 characters.
      const duration = typeof trigger['for'] === 'string' && trigger['for'].length <= 50 ? parseDuration(trigger['for']) : undefined;
      if (duration === undefined || duration < 0 || duration > 3_600_000) {
        violations.push({ field: `${path}.for`, message: `must be a duration from 0s to 1h such as 5s, got ${describeValue(trigger['for'])}` });
      }
    }
    const minRequests = trigger['minRequests'];
    if (minRequests !== undefined && (typeof minRequests !== 'number' || !Number.isInteger(minRequests) || minRequests < 1 || minRequests > 10_000_000)) {
      violations.push({ field: `${path}.minRequests`, message: `must be an integer from 1 to 10000000, got ${describeValue(minRequests)}` });
    }
  });
  return violations;
}

/** The triggers of a valid `rollbackTriggers` list (validate with {@link rollbackTriggersViolations} first). */
export function parseRollbackTriggers(value: readonly { when: string; for?: string; minRequests?: number }[]): RollbackTrigger[] {
  return value.map((trigger) => {
    const parsed = parseTriggerWhen(trigger.when);
    if (typeof parsed === 'string') {
      throw new Error(`unvalidated trigger: ${parsed}`);
    }
    switch (parsed.form) {
      case 'judge':
        return { kind: 'judge', when: trigger.when };
      case 'anomaly':
        return { kind: 'anomaly', when: trigger.when, minSeverity: parsed.minSeverity };
      case 'condition':
        return {
          kind: 'condition',
          when: trigger.when,
          condition: parsed.condition,
          forMs: trigger.for === undefined ? 0 : (parseDuration(trigger.for) as number),
          minRequests: trigger.minRequests ?? DEFAULT_TRIGGER_MIN_REQUESTS,
        };
    }
  });
}

/** Whether an anomaly of `severity` reaches the trigger's threshold. */
export function severityReaches(severity: AnomalySeverity, minimum: AnomalySeverity): boolean {
  return ANOMALY_SEVERITIES.indexOf(severity) >= ANOMALY_SEVERITIES.indexOf(minimum);
}
