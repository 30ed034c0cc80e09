/** Samples per side (continuous) or events' total per side (proportion). */
export type MetricKind = 'continuous' | 'proportion';

/** Which change of the canary is a regression: a higher latency, a lower throughput, or any change. */
export type BadDirection = 'increase' | 'decrease' | 'either';

export type MultipleComparisons = 'holm' | 'none';

export interface MetricConfig {
  readonly name: string;
  readonly kind: MetricKind;
  readonly direction: BadDirection;
  /** Largest tolerated effect, relative to the baseline median (continuous) or rate (proportion). */
  readonly tolerance: number;
  /** Largest tolerated effect in the metric's own unit (ms, rate), on top of the relative one. */
  readonly absoluteTolerance: number;
  /** A regression of a critical metric fails the canary whatever the score. */
  readonly critical: boolean;
  /** Fewer samples (continuous) or requests (proportion) on either side make the metric insufficient. */
  readonly minimumSamples: number;
}

export interface MetricGroupConfig {
  readonly name: string;
  /** Relative weight of the group in the score; shared equally by its metrics. */
  readonly weight: number;
  readonly metrics: readonly MetricConfig[];
}

export interface ScoreThresholds {
  /** Score (0–100) at or above which the canary passes. */
  readonly pass: number;
  /** Score at or above which, below pass, the canary is marginal; below it, it fails. */
  readonly marginal: number;
}

export interface JudgeConfig {
  /** Confidence of each test and interval; α = 1 − confidence. */
  readonly confidence: number;
  readonly thresholds: ScoreThresholds;
  /** Weighted share of insufficient metrics above which the verdict is insufficient data. */
  readonly maximumInsufficientShare: number;
  /** Family-wise control over the metrics' tests, so that more metrics do not mean more false fails. */
  readonly multipleComparisons: MultipleComparisons;
  readonly groups: readonly MetricGroupConfig[];
}

type Optional<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

export type MetricConfigInput = Optional<MetricConfig, 'direction' | 'tolerance' | 'absoluteTolerance' | 'critical' | 'minimumSamples'>;

export interface MetricGroupConfigInput {
  readonly name: string;
  readonly weight: number;
  readonly metrics: readonly MetricConfigInput[];
}

export interface JudgeConfigInput {
  readonly confidence?: number;
  readonly thresholds?: Partial<ScoreThresholds>;
  readonly maximumInsufficientShare?: number;
  readonly multipleComparisons?: MultipleComparisons;
  readonly groups: readonly MetricGroupConfigInput[];
}

/** Kayenta's defaults where it has them: 98 % confidence, pass at 95, marginal at 75. */
export const DEFAULT_JUDGE_SETTINGS = {
  confidence: 0.98,
  thresholds: { pass: 95, marginal: 75 },
  maximumInsufficientShare: 0.5,
  multipleComparisons: 'holm',
} as const satisfies Omit<JudgeConfig, 'groups'>;

export const DEFAULT_METRIC_SETTINGS = {
  direction: 'increase',
  tolerance: 0.1,
  absoluteTolerance: 0,
  critical: false,
  minimumSamples: { continuous: 50, proportion: 200 },
} as const;

/** A configuration that cannot be used, with every problem found, each naming its field. */
export class JudgeConfigError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`invalid canary judge config: ${issues.join('; ')}`);
    this.name = 'JudgeConfigError';
  }
}

const METRIC_KINDS: readonly MetricKind[] = ['continuous', 'proportion'];
const BAD_DIRECTIONS: readonly BadDirection[] = ['increase', 'decrease', 'either'];
const MULTIPLE_COMPARISONS: readonly MultipleComparisons[] = ['holm', 'none'];

/**
 * Validates a judge configuration (typed or parsed from JSON) and fills the defaults. Throws a
 * {@link JudgeConfigError} listing every bad field by path, e.g. `groups[1].weight must be > 0`.
 */
export function parseJudgeConfig(input: unknown): JudgeConfig {
  const issues: string[] = [];
  const reader = new FieldReader(issues);
  if (!isRecord(input)) throw new JudgeConfigError(['config must be an object']);

  const confidence = reader.number(input, 'confidence', 'confidence', DEFAULT_JUDGE_SETTINGS.confidence, (value) => value > 0 && value < 1, 'must be in (0, 1)');
  const thresholdsInput = input['thresholds'] ?? {};
  let thresholds: ScoreThresholds = DEFAULT_JUDGE_SETTINGS.thresholds;
  if (!isRecord(thresholdsInput)) issues.push('thresholds must be an object');
  else {
    const inRange = (value: number): boolean => value >= 0 && value <= 100;
    const pass = reader.number(thresholdsInput, 'pass', 'thresholds.pass', DEFAULT_JUDGE_SETTINGS.thresholds.pass, inRange, 'must be in [0, 100]');
    const marginal = reader.number(thresholdsInput, 'marginal', 'thresholds.marginal', DEFAULT_JUDGE_SETTINGS.thresholds.marginal, inRange, 'must be in [0, 100]');
    if (marginal > pass) issues.push(`thresholds.marginal must be ≤ thresholds.pass (${marginal} > ${pass})`);
    thresholds = { pass, marginal };
  }
  const maximumInsufficientShare = reader.number(
    input,
    'maximumInsufficientShare',
    'maximumInsufficientShare',
    DEFAULT_JUDGE_SETTINGS.maximumInsufficientShare,
    (value) => value >= 0 && value < 1,
    'must be in [0, 1)',
  );
  const multipleComparisons = reader.choice(input, 'multipleComparisons', 'multipleComparisons', MULTIPLE_COMPARISONS, DEFAULT_JUDGE_SETTINGS.multipleComparisons);

  const groups: MetricGroupConfig[] = [];
  const groupsInput = input['groups'];
  if (!Array.isArray(groupsInput) || groupsInput.length === 0) issues.push('groups must be a non-empty array');
  else {
    const groupNames = new Set<string>();
    const metricNames = new Set<string>();
    groupsInput.forEach((groupInput: unknown, groupIndex) => {
      const groupPath = `groups[${groupIndex}]`;
      if (!isRecord(groupInput)) {
        issues.push(`${groupPath} must be an object`);
        return;
      }
      const name = reader.name(groupInput, `${groupPath}.name`, groupNames);
      const weight = reader.number(groupInput, 'weight', `${groupPath}.weight`, undefined, (value) => value > 0, 'must be > 0');
      const metricsInput = groupInput['metrics'];
      const metrics: MetricConfig[] = [];
      if (!Array.isArray(metricsInput) || metricsInput.length === 0) issues.push(`${groupPath}.metrics must be a non-empty array`);
      else {
        metricsInput.forEach((metricInput: unknown, metricIndex) => {
          const metric = parseMetric(reader, metricInput, `${groupPath}.metrics[${metricIndex}]`, metricNames);
          if (metric) metrics.push(metric);
        });
      }
      groups.push({ name, weight, metrics });
    });
  }

  if (issues.length > 0) throw new JudgeConfigError(issues);
  return { confidence, thresholds, maximumInsufficientShare, multipleComparisons, groups };
}

function parseMetric(reader: FieldReader, input: unknown, path: string, metricNames: Set<string>): MetricConfig | null {
  if (!isRecord(input)) {
    reader.issues.push(`${path} must be an object`);
    return null;
  }
  const name = reader.name(input, `${path}.name`, metricNames);
  const kind = reader.choice(input, 'kind', `${path}.kind`, METRIC_KINDS, undefined);
  const direction = reader.choice(input, 'direction', `${path}.direction`, BAD_DIRECTIONS, DEFAULT_METRIC_SETTINGS.direction);
  const nonNegative = (value: number): boolean => value >= 0;
  const tolerance = reader.number(input, 'tolerance', `${path}.tolerance`, DEFAULT_METRIC_SETTINGS.tolerance, nonNegative, 'must be ≥ 0');
  const absoluteTolerance = reader.number(input, 'absoluteTolerance', `${path}.absoluteTolerance`, DEFAULT_METRIC_SETTINGS.absoluteTolerance, nonNegative, 'must be ≥ 0');
  const critical = input['critical'] ?? DEFAULT_METRIC_SETTINGS.critical;
  if (typeof critical !== 'boolean') reader.issues.push(`${path}.critical must be a boolean`);
  const minimumSamples = reader.number(
    input,
    'minimumSamples',
    `${path}.minimumSamples`,
    DEFAULT_METRIC_SETTINGS.minimumSamples[kind ?? 'continuous'],
    // A rank test needs at least two values per side to order anything.
    (value) => Number.isInteger(value) && value >= 2,
    'must be an integer ≥ 2',
  );
  if (kind === undefined || typeof critical !== 'boolean') return null;
  return { name, kind, direction, tolerance, absoluteTolerance, critical, minimumSamples };
}

/** Reads typed fields off an untrusted record, recording one issue per bad field. */
class FieldReader {
  constructor(readonly issues: string[]) {}

  number(record: Record<string, unknown>, key: string, path: string, fallback: number | undefined, valid: (value: number) => boolean, rule: string): number {
    const value = record[key] ?? fallback;
    if (value === undefined) {
      this.issues.push(`${path} is required`);
      return Number.NaN;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.issues.push(`${path} must be a finite number`);
      return Number.NaN;
    }
    if (!valid(value)) this.issues.push(`${path} ${rule}, got ${value}`);
    return value;
  }

  choice<T extends string>(record: Record<string, unknown>, key: string, path: string, options: readonly T[], fallback: T): T;
  choice<T extends string>(record: Record<string, unknown>, key: string, path: string, options: readonly T[], fallback: undefined): T | undefined;
  choice<T extends string>(record: Record<string, unknown>, key: string, path: string, options: readonly T[], fallback: T | undefined): T | undefined {
    const value = record[key] ?? fallback;
    if (value === undefined) {
      this.issues.push(`${path} is required`);
      return undefined;
    }
    if (!options.includes(value as T)) {
      this.issues.push(`${path} must be one of ${options.join(', ')}, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return value as T;
  }

  name(record: Record<string, unknown>, path: string, seen: Set<string>): string {
    const value = record['name'];
    if (typeof value !== 'string' || value.trim() === '') {
      this.issues.push(`${path} must be a non-empty string`);
      return '';
    }
    if (seen.has(value)) this.issues.push(`${path} "${value}" is not unique`);
    seen.add(value);
    return value;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
