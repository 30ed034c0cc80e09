import { DomainViolation } from '../errors/domain-error';
import { parseDuration } from '../components/duration';
import { describeValue, isPlainObject, unknownKeyViolations } from '../components/validation';
import { ANOMALY_SEVERITIES, AnomalySeverity, DEFAULT_TRIGGER_MIN_REQUESTS, TriggerCondition, parseTriggerWhen } from '../rollouts/rollback-triggers';

/**
 * A rollback trigger of the rollback service: a condition watched over a scope, and what to do
 * when it holds. One home for every trigger, whether declared alone (API, manifest) or as the
 * `rollbackTriggers` of a Rollout (scoped to that rollout, action `abort`).
 *
 * Conditions (`when`), with the signal each is decided on:
 * - KPI comparisons of the canary and the stable config, e.g.
 *   `error_rate(canary) > 2 * error_rate(stable) and error_rate(canary) > 0.01`: on the gateway's
 *   own 1-second flushes over the trailing `window`, with at least `minRequests` canary requests
 *   in it, held `for` a duration (0: the first evaluation that holds).
 * - `anomaly(severity >= high, scope = canary|group)`: an anomaly the detector raises on a series
 *   of the rollout's canary config (`canary`), or of the version group deployed (`group`, also
 *   after a promotion).
 * - `judge == Fail`: an analysis of a rollout in scope failed (routing-control aborted it).
 * - `health == failing`: a gateway has no available node left for the group's stack config
 *   (every node failing its health checks or ejected).
 * - `gateway == nack`: a gateway refused the environment's routing config.
 */
export type TriggerAction = 'abort' | 'rollback';
export const TRIGGER_ACTIONS: readonly TriggerAction[] = ['abort', 'rollback'];

export type TriggerWatch =
  | { kind: 'kpi'; condition: TriggerCondition }
  | { kind: 'anomaly'; minSeverity: AnomalySeverity; of: 'canary' | 'group' }
  | { kind: 'judge' }
  | { kind: 'health' }
  | { kind: 'nack' };

/** All present keys must match; none present is the whole environment. */
export interface TriggerScope {
  rollout?: string;
  versionGroup?: string;
  component?: string;
}

export interface RollbackTriggerSpec {
  when: string;
  watch: TriggerWatch;
  /** KPI conditions: how far back each evaluation looks. */
  windowMs: number;
  /** KPI conditions: how long the condition must hold before the trigger fires (debounce). */
  forMs: number;
  minRequests: number;
  scope: TriggerScope;
  action: TriggerAction;
  /** After a firing the trigger does not fire again for this long: no flapping loop. */
  coolDownMs: number;
  /** Records what it would have done and does nothing. */
  dryRun: boolean;
}

export const DEFAULT_TRIGGER_WINDOW_MS = 5_000;
export const DEFAULT_TRIGGER_COOL_DOWN_MS = 600_000;
const KEYS = ['when', 'window', 'for', 'minRequests', 'scope', 'action', 'coolDown', 'dryRun'];
const SCOPE_KEYS = ['rollout', 'versionGroup', 'component'] as const;
/** Rollout, group and component names as the registry and routing-control accept them. */
const SCOPE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const KPI_ONLY = ['window', 'for', 'minRequests'] as const;
const DURATIONS = { window: [1_000, 300_000, '1s to 5m'], for: [0, 3_600_000, '0s to 1h'], coolDown: [0, 86_400_000, '0s to 24h'] } as const;

const WHEN_SYNTAX =
  'must be KPI comparisons such as "error_rate(canary) > 2 * error_rate(stable) and error_rate(canary) > 0.01" (error_rate, latency_mean_ms, latency_p99_ms of (canary) or (stable)), "anomaly(severity >= high, scope = canary|group)", "judge == Fail", "health == failing" or "gateway == nack"';

/** What a `when` watches; a string naming what is wrong when it is none of the forms. */
export function parseTriggerWatch(when: string): TriggerWatch | string {
  const text = when.trim();
  if (/^health\s*==\s*failing$/i.test(text)) return { kind: 'health' };
  if (/^gateway\s*==\s*nack$/i.test(text)) return { kind: 'nack' };
  const anomaly = /^anomaly\s*\(\s*severity\s*>=\s*([a-z]+)\s*,\s*scope\s*=\s*([a-z]+)\s*\)$/i.exec(text);
  if (anomaly) {
    const severity = anomaly[1].toLowerCase() as AnomalySeverity;
    const of = anomaly[2].toLowerCase();
    if (!ANOMALY_SEVERITIES.includes(severity)) return `names severity '${anomaly[1]}'; it must be one of ${ANOMALY_SEVERITIES.join(', ')}`;
    if (of !== 'canary' && of !== 'group') return `names scope '${anomaly[2]}'; it must be canary (the canary config of a rollout) or group (the version group deployed)`;
    return { kind: 'anomaly', minSeverity: severity, of };
  }
  const parsed = parseTriggerWhen(text);
  // The Rollout's parser lists only the forms a Rollout takes; this one names all of them.
  if (typeof parsed === 'string') return parsed.includes('judge == Fail') ? `'${text}' is not a condition; it ${WHEN_SYNTAX}` : parsed;
  return parsed.form === 'judge' ? { kind: 'judge' } : parsed.form === 'condition' ? { kind: 'kpi', condition: parsed.condition } : { kind: 'anomaly', minSeverity: parsed.minSeverity, of: 'canary' };
}

/** Every violation of a trigger's body, naming the field. */
export function rollbackTriggerViolations(value: unknown): DomainViolation[] {
  if (!isPlainObject(value)) return [{ field: '', message: `must be an object with ${KEYS.join(', ')}, got ${describeValue(value)}` }];
  const violations = unknownKeyViolations(value, KEYS, '');
  const when = value['when'];
  let watch: TriggerWatch | string = WHEN_SYNTAX;
  if (typeof when === 'string' && when.trim() !== '' && when.length <= 500) watch = parseTriggerWatch(when);
  if (typeof watch === 'string') violations.push({ field: 'when', message: typeof when === 'string' && when.trim() !== '' ? watch : `${WHEN_SYNTAX}, got ${describeValue(when)}` });
  if (typeof watch !== 'string' && watch.kind !== 'kpi') {
    for (const key of KPI_ONLY) if (value[key] !== undefined) violations.push({ field: key, message: `applies only to a KPI condition, not to "${String(when)}"` });
  }
  for (const [key, [min, max, range]] of Object.entries(DURATIONS)) {
    const given = value[key];
    if (given === undefined) continue;
    const duration = typeof given === 'string' ? parseDuration(given) : undefined;
    if (duration === undefined || duration < min || duration > max) violations.push({ field: key, message: `must be a duration from ${range} such as 5s, got ${describeValue(given)}` });
  }
  const minRequests = value['minRequests'];
  if (minRequests !== undefined && (typeof minRequests !== 'number' || !Number.isInteger(minRequests) || minRequests < 1 || minRequests > 10_000_000)) {
    violations.push({ field: 'minRequests', message: `must be an integer from 1 to 10000000, got ${describeValue(minRequests)}` });
  }
  if (!TRIGGER_ACTIONS.includes(value['action'] as TriggerAction)) {
    violations.push({ field: 'action', message: `must be "abort" (the rollout's traffic back to stable) or "rollback" (abort, then a backward execution of every layer), got ${describeValue(value['action'])}` });
  }
  if (value['dryRun'] !== undefined && typeof value['dryRun'] !== 'boolean') violations.push({ field: 'dryRun', message: `must be true or false, got ${describeValue(value['dryRun'])}` });
  violations.push(...scopeViolations(value['scope']));
  return violations;
}

function scopeViolations(scope: unknown): DomainViolation[] {
  if (scope === undefined) return [];
  if (!isPlainObject(scope)) return [{ field: 'scope', message: `must be an object with any of ${SCOPE_KEYS.join(', ')} (none: the whole environment), got ${describeValue(scope)}` }];
  const violations = unknownKeyViolations(scope, SCOPE_KEYS, 'scope');
  for (const key of SCOPE_KEYS) {
    const name = scope[key];
    if (name !== undefined && (typeof name !== 'string' || !SCOPE_NAME.test(name))) violations.push({ field: `scope.${key}`, message: `must be a name of 1-200 letters, digits, '.', '_' or '-', got ${describeValue(name)}` });
  }
  return violations;
}

/** The spec of a valid body (validate with {@link rollbackTriggerViolations} first). */
export function parseRollbackTrigger(value: Record<string, unknown>): RollbackTriggerSpec {
  const watch = parseTriggerWatch(value['when'] as string);
  if (typeof watch === 'string') throw new Error(`unvalidated trigger: ${watch}`);
  const duration = (key: string, fallback: number) => (typeof value[key] === 'string' ? (parseDuration(value[key] as string) as number) : fallback);
  const scope = (value['scope'] ?? {}) as TriggerScope;
  return {
    when: (value['when'] as string).trim(),
    watch,
    windowMs: duration('window', DEFAULT_TRIGGER_WINDOW_MS),
    forMs: duration('for', 0),
    minRequests: (value['minRequests'] as number | undefined) ?? DEFAULT_TRIGGER_MIN_REQUESTS,
    scope: Object.fromEntries(SCOPE_KEYS.filter((key) => scope[key] !== undefined).map((key) => [key, scope[key]])),
    action: value['action'] as TriggerAction,
    coolDownMs: duration('coolDown', DEFAULT_TRIGGER_COOL_DOWN_MS),
    dryRun: value['dryRun'] === true,
  };
}

/** Whether a subject (a rollout of a group, a component's series) is inside a trigger's scope. */
export function inTriggerScope(scope: TriggerScope, subject: { rollout?: string | null; versionGroup?: string | null; component?: string | null }): boolean {
  return SCOPE_KEYS.every((key) => scope[key] === undefined || scope[key] === subject[key]);
}
