import { apiPath } from '../api-client';
import { Item, Kind, Scope, at, column } from './kind';

/** `stack/environment/component/stackConfig[/node] metric`: a series as one cell. */
const seriesLabel = (labels: unknown) =>
  labels && typeof labels === 'object'
    ? `${['stack', 'environment', 'component', 'stackConfig', 'node'].map((key) => at(labels, key)).filter((part) => part !== undefined && part !== null && part !== '').join('/')} ${String(at(labels, 'metric'))}`
    : '-';

const scopeQuery = (scope: Scope) => ({ stack: scope.stack, environment: scope.environment, component: scope.component });

export const INSIGHT_KINDS: readonly Kind[] = [
  {
    name: 'series',
    aliases: ['serie', 'metrics'],
    requires: [],
    list: (scope) => ({ path: '/v1/series', query: scopeQuery(scope) }),
    one: (_scope, name) => apiPath`/v1/series/${name}`,
    columns: [column('ID', 'id'), { header: 'SERIES', value: (item: Item) => seriesLabel(item['labels']) }, column('CREATED', 'createdAt')],
  },
  {
    name: 'anomalies',
    aliases: ['anomaly', 'an'],
    requires: [],
    list: (scope) => ({ path: '/v1/anomalies', query: scopeQuery(scope) }),
    one: (_scope, name) => apiPath`/v1/anomalies/${name}`,
    columns: [
      column('ID', 'id'),
      column('AT', 'at'),
      { header: 'SERIES', value: (item: Item) => seriesLabel(item['series']) },
      column('SEVERITY', 'severity'),
      { header: 'SCORE', value: (item: Item) => Number(item['score']).toFixed(3) },
      column('OBSERVED', 'evidence.observed'),
      column('EXPECTED', 'evidence.expected'),
    ],
  },
  {
    name: 'forecasts',
    aliases: ['forecast', 'fc'],
    requires: [],
    list: (scope) => ({ path: '/v1/forecasts', query: scopeQuery(scope) }),
    one: (_scope, name) => apiPath`/v1/forecasts/${name}`,
    columns: [
      column('ID', 'id'),
      { header: 'SERIES', value: (item: Item) => seriesLabel(item['series']) },
      column('MADE', 'madeAt'),
      { header: 'MODEL', value: (item: Item) => `${String(at(item, 'model.kind'))}:${String(at(item, 'model.method'))}` },
      column('HORIZON', 'horizon'),
      column('STEP-MS', 'stepMs'),
    ],
  },
  {
    name: 'proposals',
    aliases: ['proposal', 'pr'],
    requires: [],
    list: (scope) => ({ path: '/v1/proposals', query: { stack: scope.stack, environment: scope.environment } }),
    one: (_scope, name) => apiPath`/v1/proposals/${name}`,
    columns: [
      column('ID', 'id'),
      column('KIND', 'kind'),
      column('STACK', 'stack'),
      column('ENVIRONMENT', 'environment'),
      column('COMPONENT', 'component'),
      column('TITLE', 'title'),
      column('STATUS', 'status'),
      { header: 'EXPECTED', value: (item: Item) => (at(item, 'expected.costReduction') === undefined ? '-' : `cost -${Math.round(Number(at(item, 'expected.costReduction')) * 100)} %`) },
    ],
    details: async (_client, _scope, item) => ({ transitions: (item['transitions'] as Item[] | undefined) ?? [] }),
  },
];
