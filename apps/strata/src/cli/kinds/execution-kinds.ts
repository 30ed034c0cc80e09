import { apiPath } from '../api-client';
import { Item, Kind, column, scoped } from './kind';

/** Where an execution stands when its status no longer changes. */
export const FINAL_EXECUTION_STATUSES = ['succeeded', 'failed', 'abandoned'] as const;

const steps = (item: Item) => (item['steps'] as Item[] | undefined) ?? [];

export const EXECUTION_COLUMNS = [
  column('ID', 'id'),
  column('KIND', 'kind'),
  column('STACK', 'stack'),
  column('ENVIRONMENT', 'environment'),
  column('GROUP', 'versionGroup'),
  column('FROM', 'fromVersionGroup'),
  column('STATUS', 'status'),
  { header: 'STEPS', value: (item: Item) => `${steps(item).filter((step) => step['status'] === 'succeeded').length}/${steps(item).length}` },
];

export const EXECUTION_STEP_COLUMNS = [
  column('COMPONENT', 'component'),
  column('TYPE', 'type'),
  column('ACTION', 'action'),
  column('STATUS', 'status'),
  column('STARTED', 'startedAt'),
  column('FINISHED', 'finishedAt'),
  column('ERROR', 'error'),
];

export const EXECUTION_KINDS: readonly Kind[] = [
  {
    name: 'executions',
    aliases: ['execution', 'exec', 'ex'],
    requires: [],
    list: (scope) => ({ path: '/v1/executions', query: { stack: scope.stack, environment: scope.environment } }),
    one: (_scope, name) => apiPath`/v1/executions/${name}`,
    columns: EXECUTION_COLUMNS,
    details: async (_client, _scope, item) => ({ steps: steps(item) }),
  },
  {
    name: 'rollback-triggers',
    aliases: ['rollback-trigger', 'triggers', 'trigger'],
    requires: ['stack', 'environment'],
    list: (scope) => ({ path: `/v1/stacks/${scoped(scope, 'stack')}/environments/${scoped(scope, 'environment')}/rollback-triggers` }),
    one: (scope, name) => `/v1/stacks/${scoped(scope, 'stack')}/environments/${scoped(scope, 'environment')}/rollback-triggers/${encodeURIComponent(name)}`,
    columns: [column('NAME', 'name'), column('WHEN', 'spec.when'), column('ACTION', 'spec.action'), column('DRY-RUN', 'spec.dryRun'), column('SOURCE', 'source'), column('LAST-FIRED', 'lastFiredAt')],
    details: async (client, scope, item) => ({
      firings: await client.get(`/v1/stacks/${scoped(scope, 'stack')}/environments/${scoped(scope, 'environment')}/rollback-triggers/${encodeURIComponent(String(item['name']))}/firings`),
    }),
  },
  {
    name: 'trigger-firings',
    aliases: ['trigger-firing', 'firings', 'firing'],
    requires: ['stack', 'environment'],
    list: (scope) => ({ path: `/v1/stacks/${scoped(scope, 'stack')}/environments/${scoped(scope, 'environment')}/trigger-firings` }),
    find: (items, name) => items.find((item) => item['id'] === name),
    columns: [column('ID', 'id'), column('TRIGGER', 'trigger'), column('FIRED', 'firedAt'), column('ROLLOUT', 'rollout'), column('GROUP', 'versionGroup'), column('DRY-RUN', 'dryRun'), column('STATUS', 'status'), column('EXECUTION', 'executionStatus'), column('OUTCOME', 'outcome')],
  },
];
