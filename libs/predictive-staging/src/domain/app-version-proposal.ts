import type { ReportedSeverity } from '../config/predictive-staging-settings';
import { type SeverityName, severityRank } from './anomaly-evidence';

/** One deployment of a version group to an environment's production, as the registry recorded it. */
export interface DeployedGroup {
  versionGroup: string;
  members: readonly { component: string; version: string }[];
  deployedAt: number;
}

/** Which anomalies count as a regression of the running app version. */
export interface RegressionRule {
  minSeverity: ReportedSeverity;
  /** Metrics where a rise is worse (errors, latency); matched against the series' metric name. */
  metrics: RegExp;
}

export interface AnomalySignal {
  metric: string;
  severity: SeverityName;
  observed: number;
  expected: number | null;
}

/**
 * A regression: severe enough, on a metric where higher is worse, and above what the baselines
 * expected (a drop in errors or latency is an improvement, not a regression). An anomaly without an
 * expectation yet still counts: the detector only reports once its baselines learnt.
 */
export function isRegression(anomaly: AnomalySignal, rule: RegressionRule): boolean {
  return (
    anomaly.severity !== 'none' &&
    severityRank(anomaly.severity) >= severityRank(rule.minSeverity) &&
    rule.metrics.test(anomaly.metric) &&
    (anomaly.expected === null || anomaly.observed > anomaly.expected)
  );
}

export interface SkippedGroup {
  versionGroup: string;
  reason: string;
}

export type LastKnownGoodChoice =
  | {
      found: true;
      running: { versionGroup: string; version: string };
      proposed: { versionGroup: string; version: string; deployedAt: number };
      skipped: SkippedGroup[];
    }
  | { found: false; reason: string; skipped: SkippedGroup[] };

/**
 * The last known good version of `component` for an anomaly of the `runningGroup`.
 *
 * "Good" here means: a version group deployed to the same environment's production before the
 * running one, that carries the component at another version (an app-version proposal changes
 * the app's version), and under which no regression anomaly was recorded (series are labelled by
 * the group they ran under, so `regressed` holds exactly the groups that regressed while they
 * ran). The newest such group wins: it is the closest to what runs now. A group the environment
 * has run more than once is judged once, at its newest deployment.
 */
export function chooseLastKnownGood(history: readonly DeployedGroup[], component: string, runningGroup: string, regressed: ReadonlySet<string>): LastKnownGoodChoice {
  const [current, ...earlier] = history;
  if (current === undefined) return { found: false, reason: 'no deployment of this environment is known', skipped: [] };
  if (current.versionGroup !== runningGroup) {
    return { found: false, reason: `${runningGroup} is not what is deployed (${current.versionGroup} is)`, skipped: [] };
  }
  const running = current.members.find((member) => member.component === component);
  if (!running) return { found: false, reason: `${runningGroup} does not carry ${component}`, skipped: [] };
  const skipped: SkippedGroup[] = [];
  const judged = new Set([runningGroup]);
  for (const deployment of earlier) {
    if (judged.has(deployment.versionGroup)) continue;
    judged.add(deployment.versionGroup);
    const version = deployment.members.find((member) => member.component === component)?.version;
    const why = version === undefined ? `does not carry ${component}` : version === running.version ? `carries the same ${component} version ${version}` : regressed.has(deployment.versionGroup) ? 'had a regression anomaly while it ran' : null;
    if (why === null) {
      return { found: true, running: { versionGroup: runningGroup, version: running.version }, proposed: { versionGroup: deployment.versionGroup, version: version as string, deployedAt: deployment.deployedAt }, skipped };
    }
    skipped.push({ versionGroup: deployment.versionGroup, reason: why });
  }
  const reason = earlier.length === 0 ? `no deployment before ${runningGroup} is known in this environment` : `no earlier version group is known good (${skipped.map((group) => `${group.versionGroup}: ${group.reason}`).join('; ')})`;
  return { found: false, reason, skipped };
}

/** One regression anomaly as a proposal keeps it for evidence. */
export interface RegressionEvidence {
  anomalyId: string;
  seriesId: string;
  metric: string;
  node: string | null;
  at: number;
  score: number;
  severity: SeverityName;
  observed: number;
  expected: number | null;
}

/** Anomalies a proposal keeps at most: the newest, so a long incident does not grow a row without bound. */
export const MAX_EVIDENCE_ANOMALIES = 100;

/** The evidence with `added` merged in: one entry per anomaly (a redelivered anomaly changes nothing), oldest first, the newest `max` kept. */
export function mergeRegressionEvidence(existing: readonly RegressionEvidence[], added: RegressionEvidence, max = MAX_EVIDENCE_ANOMALIES): RegressionEvidence[] {
  if (existing.some((entry) => entry.anomalyId === added.anomalyId)) return [...existing];
  const merged = [...existing, added].sort((a, b) => a.at - b.at || a.anomalyId.localeCompare(b.anomalyId));
  return merged.slice(Math.max(0, merged.length - max));
}

/** The expected effect on one metric: its level under the last known good group against now. */
export interface MetricEffect {
  metric: string;
  /** Mean of the regression anomalies' observed values on this metric. */
  now: number;
  /** Mean of the metric's kept window values under the last known good group; null when none are kept. */
  lastKnownGood: number | null;
  /** Window values that mean was taken over. */
  lastKnownGoodWindows: number;
  /** The relative drop expected from going back: (now − lastKnownGood) ÷ now; null without a level to compare. */
  expectedReduction: number | null;
}

/** One effect per metric of the evidence, in metric order; `levels` gives each metric's level under the last known good group. */
export function expectedEffects(evidence: readonly RegressionEvidence[], levels: ReadonlyMap<string, { mean: number; windows: number }>): MetricEffect[] {
  const byMetric = new Map<string, number[]>();
  for (const entry of evidence) byMetric.set(entry.metric, [...(byMetric.get(entry.metric) ?? []), entry.observed]);
  return [...byMetric.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([metric, observed]) => {
      const now = round(observed.reduce((sum, value) => sum + value, 0) / observed.length);
      const level = levels.get(metric);
      const lastKnownGood = level ? round(level.mean) : null;
      return { metric, now, lastKnownGood, lastKnownGoodWindows: level?.windows ?? 0, expectedReduction: lastKnownGood !== null && now !== 0 ? round((now - lastKnownGood) / now) : null };
    });
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
