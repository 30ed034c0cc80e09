import { EXECUTION_STEP_COLUMNS } from './kinds/execution-kinds';
import { Item } from './kinds';
import { cell, renderTable } from './output';

const bar = (percent: number, width = 20) => {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
};

const time = (value: unknown) => (typeof value === 'string' ? value.replace(/^\d{4}-\d\d-\d\dT/, '').replace(/\.\d+Z$/, 'Z') : '-');

/**
 * One screen of a rollout: phase, step, canary weight, every step marked done, current or to
 * come, and the latest transitions with their reasons (the judge's verdicts and p-values).
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
    `  phase ${phase}, step ${Math.min(index + 1, steps.length)}/${steps.length}, canary weight ${weight}% ${bar(weight)}${rollout['reason'] ? `: ${cell(rollout['reason'])}` : ''}`,
    'steps:',
    ...steps.map((step, position) => `  ${finished || position < index ? 'done' : position === index ? ' -> ' : '    '} ${position + 1}. ${step}`),
    'transitions:',
    ...transitions.slice(-lastTransitions).map(
      (transition) =>
        `  ${time(transition['at'])} ${cell(transition['from'])} -> ${cell(transition['to'])} step ${Math.min(Number(transition['stepIndex']) + 1, steps.length)} ${cell(transition['canaryWeight'])}% by ${cell(transition['actor'])}: ${cell(transition['reason'])}`,
    ),
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
