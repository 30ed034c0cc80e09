import { apiPath } from '../api-client';
import { UsageError } from '../errors';
import { Item, Kind, Scope, at, column, scoped } from './kind';

const members = (item: Item) => ((at(item, 'members') as Item[] | undefined) ?? []).map((member) => `${String(member['component'])}@${String(member['version'])}`);

/** `component@version`, or a version with --component. */
function componentVersion(scope: Scope, name: string): [string, string] {
  const at = name.lastIndexOf('@');
  if (at > 0) return [name.slice(0, at), name.slice(at + 1)];
  if (!scope.component) throw new UsageError(`version '${name}': give it as component@version, or pass --component`);
  return [scope.component, name];
}

export const REGISTRY_KINDS: readonly Kind[] = [
  {
    name: 'stacks',
    aliases: ['stack', 'st'],
    requires: [],
    list: () => ({ path: '/v1/stacks' }),
    one: (_scope, name) => apiPath`/v1/stacks/${name}`,
    columns: [
      column('NAME', 'name'),
      { header: 'ENVIRONMENTS', value: (item) => ((item['environments'] as Item[] | undefined) ?? []).map((environment) => (environment['mirrors'] ? `${String(environment['name'])}(mirrors ${String(environment['mirrors'])})` : environment['name'])) },
      column('CREATED', 'createdAt'),
    ],
  },
  {
    name: 'components',
    aliases: ['component', 'comp'],
    requires: [],
    list: (scope) => ({ path: '/v1/components', query: { stack: scope.stack } }),
    one: (_scope, name) => apiPath`/v1/components/${name}`,
    columns: [column('NAME', 'name'), column('STACK', 'stack'), column('TYPE', 'type'), column('CREATED', 'createdAt')],
    details: async (client, _scope, item) => ({ versions: (await client.get<Item[]>(apiPath`/v1/components/${String(item['name'])}/versions`)).map((version) => version['version']) }),
  },
  {
    name: 'versions',
    aliases: ['version', 'ver', 'component-versions'],
    requires: [],
    list: (scope) => {
      if (!scope.component) throw new UsageError('versions needs --component');
      return { path: apiPath`/v1/components/${scope.component}/versions` };
    },
    one: (scope, name) => {
      const [component, version] = componentVersion(scope, name);
      return apiPath`/v1/components/${component}/versions/${version}`;
    },
    columns: [
      column('COMPONENT', 'component'),
      column('VERSION', 'version'),
      column('TYPE', 'type'),
      { header: 'DEPENDENCIES', value: (item) => ((item['dependencies'] as Item[] | undefined) ?? []).map((dependency) => `${String(dependency['component'])} ${String(dependency['range'])}`) },
      { header: 'CHECKSUM', value: (item) => String(item['checksum'] ?? '').slice(0, 12) },
      column('REGISTERED-BY', 'registeredBy'),
      column('CREATED', 'createdAt'),
    ],
  },
  {
    name: 'groups',
    aliases: ['group', 'version-groups', 'version-group', 'vg'],
    requires: ['stack'],
    list: (scope) => ({ path: `/v1/stacks/${scoped(scope, 'stack')}/version-groups` }),
    one: (scope, name) => `/v1/stacks/${scoped(scope, 'stack')}/version-groups/${encodeURIComponent(name)}`,
    columns: [column('NAME', 'name'), column('STACK', 'stack'), column('ENVIRONMENT', 'environment'), { header: 'MEMBERS', value: members }, column('CREATED-BY', 'createdBy'), column('CREATED', 'createdAt')],
  },
  {
    name: 'version-map',
    aliases: ['versionmap', 'vm', 'map'],
    requires: ['stack', 'environment'],
    current: (scope) => `/v1/stacks/${scoped(scope, 'stack')}/environments/${scoped(scope, 'environment')}/version-map`,
    rows: (item) => (item['slots'] as Item[] | undefined) ?? [],
    columns: [
      column('LOCATION', 'location'),
      column('COMPONENT', 'component'),
      column('TYPE', 'type'),
      column('VERSION', 'version'),
      column('STATUS', 'status'),
      { header: 'NODES', value: (item) => ((item['nodes'] as unknown[] | undefined) ?? []).length },
      column('SINCE', 'since'),
    ],
    details: async (client, scope) => ({
      history: await client.get(`/v1/stacks/${scoped(scope, 'stack')}/environments/${scoped(scope, 'environment')}/version-map/history`, { limit: 20 }),
    }),
  },
];
