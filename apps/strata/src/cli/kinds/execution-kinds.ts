import { apiPath } from '../api-client';
import { Item, Kind, column } from './kind';

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
];
