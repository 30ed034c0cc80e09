import { stepNumber, transitionStepIndex } from '@strata/domain';
import { apiPath } from '../api-client';
import { Item, Kind, Scope, at, column, scoped } from './kind';

const policyBase = (scope: Scope) => `/v1/stacks/${scoped(scope, 'stack')}/environments/${scoped(scope, 'environment')}/routing-policy`;

const weights = (item: Item) => ((at(item, 'config.stackConfigs') as Item[] | undefined) ?? []).map((config) => `${String(config['name'])}=${String(config['weight'])}`);

/** `2/5`: where a rollout is among its steps (the last once every step is done). */
export function rolloutStep(item: Item): string {
  const steps = (item['steps'] as string[] | undefined) ?? [];
  return `${stepNumber(Number(item['stepIndex'] ?? 0), steps.length)}/${steps.length}`;
}

/** The number of the step a transition is about, as `rollout watch` lists the steps: an analysis's is the analysis step. */
export function transitionStep(transition: Item, stepCount?: number): number {
  const reason = transition['reason'];
  return stepNumber(transitionStepIndex({ stepIndex: Number(transition['stepIndex']), reason: typeof reason === 'string' ? reason : null }), stepCount);
}

/**
 * One row per metric the statistical judge tested, per analysis: what `describe rollout` shows as
 * its verdicts (the transitions table would otherwise hold them as JSON in a column).
 */
export function verdictRows(transitions: readonly Item[]): Item[] {
  return transitions.flatMap((transition) =>
    ((transition['judgedMetrics'] as Item[] | null | undefined) ?? []).map((metric) => ({
      at: transition['at'],
      step: transitionStep(transition),
      to: transition['to'],
      metric: metric['metric'],
      verdict: metric['regression'] === true ? 'regression' : 'no regression shown',
      pValue: metric['pValue'],
      failBelow: metric['level'],
    })),
  );
}

export const ROLLOUT_COLUMNS = [
  column('ID', 'id'),
  column('NAME', 'name'),
  column('STACK', 'stack'),
  column('ENVIRONMENT', 'environment'),
  column('GROUP', 'versionGroup'),
  column('PHASE', 'phase'),
  { header: 'STEP', value: rolloutStep },
  { header: 'WEIGHT', value: (item: Item) => `${String(item['canaryWeight'])}%` },
  column('UPDATED', 'updatedAt'),
];

/** The most routing-control's plain-array lists (rollouts, policy versions) answer at once: its LimitQueryDto's maximum. */
const UNPAGED_LIMIT = 500;

export const ROUTING_KINDS: readonly Kind[] = [
  {
    name: 'policies',
    aliases: ['policy', 'routing-policy', 'routing-policies', 'rp'],
    requires: ['stack', 'environment'],
    list: (scope) => ({ path: `${policyBase(scope)}/versions`, unpagedLimit: UNPAGED_LIMIT }),
    one: (scope, name) => `${policyBase(scope)}/versions/${encodeURIComponent(name)}`,
    current: (scope) => policyBase(scope),
    columns: [
      column('VERSION', 'version'),
      column('STABLE', 'config.stableConfig'),
      { header: 'WEIGHTS', value: weights },
      column('REASON', 'reason'),
      column('CREATED-BY', 'createdBy'),
      column('CREATED', 'createdAt'),
    ],
    details: async (client, scope) => ({ status: await client.get(`${policyBase(scope)}/status`) }),
  },
  {
    name: 'rollouts',
    aliases: ['rollout', 'ro'],
    requires: [],
    list: (scope) => ({ path: '/v1/rollouts', query: { stack: scope.stack, environment: scope.environment }, unpagedLimit: UNPAGED_LIMIT }),
    one: (_scope, name) => apiPath`/v1/rollouts/${name}`,
    columns: ROLLOUT_COLUMNS,
    details: async (client, _scope, item) => {
      const transitions = await client.get<Item[]>(apiPath`/v1/rollouts/${String(item['id'])}/transitions`);
      return { transitions: transitions.map(({ judgedMetrics: _judged, ...transition }) => transition), verdicts: verdictRows(transitions) };
    },
  },
  {
    name: 'traffic-rules',
    aliases: ['traffic-rule', 'rules', 'rule'],
    requires: ['stack', 'environment'],
    list: (scope) => ({ path: `/v1/stacks/${scoped(scope, 'stack')}/environments/${scoped(scope, 'environment')}/traffic-rules` }),
    find: (items, name) => items.find((item) => item['name'] === name || item['id'] === name),
    columns: [
      column('NAME', 'name'),
      column('CONDITION', 'condition'),
      column('FOR-MS', 'forMs'),
      column('ACTION', 'action'),
      column('BREACHING-SINCE', 'breachingSince'),
      column('FIRED', 'firedAt'),
    ],
  },
];
