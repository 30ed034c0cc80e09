import { EXECUTION_STEP_COLUMNS } from './kinds/execution-kinds';
import { rolloutStep, transitionStep } from './kinds/routing-kinds';
import { Item } from './kinds';
import { cell, renderTable } from './output';

const bar = (percent: number, width = 20) => {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
};

const time = (value: unknown) => (typeof value === 'string' ? value.replace(/^\d{4}-\d\d-\d\dT/, '').replace(/\.\d+Z$/, 'Z') : '-');

/** A probability as the judge writes it: two significant digits, an exponent below 1e-4. */
const probability = (value: number) => (value < 1e-4 ? value.toExponential(1) : String(Number(value.toPrecision(2))));

/** A p-value as the judge quotes it; none where it underflows. */
export function formatPValue(pValue: number): string {
  return pValue < 1e-15 ? 'p < 1e-15' : `p = ${probability(pValue)}`;
}

/**
 * The statistical judge's verdict on each metric of a transition an analysis caused (none on the
 * others), with its always-valid p-value and the level a fail needs it under: `error-rate:
 * REGRESSION, always-valid p = 0.0012 (fail below 0.006)`.
 */
export function verdictLines(transition: Item): string[] {
  const metrics = (transition['judgedMetrics'] as Item[] | null | undefined) ?? [];
  return metrics.map((metric) => {
    const pValue = metric['pValue'];
    const verdict = metric['regression'] === true ? 'REGRESSION' : 'no regression shown';
    const quoted = typeof pValue === 'number' ? `always-valid ${formatPValue(pValue)} (fail below ${probability(Number(metric['level']))})` : 'not tested';
    return `${cell(metric['metric'])}: ${verdict}, ${quoted}`;
  });
}

/** The verdicts of the latest analysis among `transitions` (none: no statistical analysis yet). */
export function latestVerdicts(transitions: readonly Item[], steps: number): string {
  const judged = transitions.filter((transition) => verdictLines(transition).length > 0).at(-1);
  if (!judged) return '';
  const heading = `latest analysis: step ${transitionStep(judged, steps)} at ${time(judged['at'])}, ${cell(judged['from'])} -> ${cell(judged['to'])}`;
  return `${[heading, ...verdictLines(judged).map((line) => `  ${line}`)].join('\n')}\n`;
}

/**
 * One screen of a rollout: phase, step, canary weight, every step marked done, current or to
 * come, and the latest transitions with their reasons, each analysis followed by its judge's
 * verdict and always-valid p-value per metric.
 */
export function rolloutFrame(rollout: Item, transitions: readonly Item[], lastTransitions = 8): string {
  const steps = (rollout['steps'] as string[] | undefined) ?? [];
  const index = Number(rollout['stepIndex'] ?? 0);
  const phase = String(rollout['phase']);
  const finished = phase === 'promoted';
  const weight = Number(rollout['canaryWeight'] ?? 0);
  const lines = [
    `rollout ${cell(rollout['name'])} (${cell(rollout['id'])})`,
    `  ${cell(rollout['stack'])}/${cell(rollout['environment'])}: canary ${cell(rollout['versionGroup'])}, stable ${cell(rollout['baselineConfig'])}`,
    `  phase ${phase}, step ${rolloutStep(rollout)}, canary weight ${weight}% ${bar(weight)}${rollout['reason'] ? `: ${cell(rollout['reason'])}` : ''}`,
    'steps:',
    ...steps.map((step, position) => `  ${finished || position < index ? 'done' : position === index ? ' -> ' : '    '} ${position + 1}. ${step}`),
    'transitions:',
    ...transitions.slice(-lastTransitions).flatMap((transition) => [
      `  ${time(transition['at'])} ${cell(transition['from'])} -> ${cell(transition['to'])} step ${transitionStep(transition, steps.length)} ${cell(transition['canaryWeight'])}% by ${cell(transition['actor'])}: ${cell(transition['reason'])}`,
      ...verdictLines(transition).map((line) => `      ${line}`),
    ]),
  ];
  return `${lines.join('\n')}\n`;
}

/** One screen of a deploy or rollback execution: what moves to what, its status, every step. */
export function executionFrame(execution: Item): string {
  const steps = (execution['steps'] as Item[] | undefined) ?? [];
  const header = [
    `${cell(execution['kind'])} ${cell(execution['id'])}: ${cell(execution['stack'])}/${cell(execution['environment'])} ${cell(execution['fromVersionGroup'])} -> ${cell(execution['versionGroup'])}`,
    `  status ${cell(execution['status'])}, ${steps.filter((step) => step['status'] === 'succeeded').length}/${steps.length} steps succeeded`,
  ];
  return `${header.join('\n')}\n${steps.length > 0 ? renderTable(steps, EXECUTION_STEP_COLUMNS) : ''}`;
}
