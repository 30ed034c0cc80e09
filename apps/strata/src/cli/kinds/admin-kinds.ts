import { apiPath } from '../api-client';
import { Kind, column } from './kind';

export const ADMIN_KINDS: readonly Kind[] = [
  {
    name: 'tokens',
    aliases: ['token'],
    requires: [],
    list: () => ({ path: '/v1/tokens' }),
    find: (items, name) => items.find((item) => item['id'] === name) ?? items.find((item) => item['principal'] === name),
    columns: [
      column('ID', 'id'),
      column('PRINCIPAL', 'principal'),
      column('ROLE', 'role'),
      column('CREATED', 'createdAt'),
      column('CREATED-BY', 'createdBy'),
      column('EXPIRES', 'expiresAt'),
      column('REVOKED', 'revokedAt'),
      column('LAST-USED', 'lastUsedAt'),
    ],
  },
  {
    name: 'audit',
    aliases: ['audit-log', 'audits'],
    requires: [],
    list: () => ({ path: '/v1/audit' }),
    find: (items, name) => items.find((item) => item['id'] === name || item['correlationId'] === name),
    columns: [column('AT', 'at'), column('SERVICE', 'service'), column('PRINCIPAL', 'principal'), column('ROLE', 'role'), column('ACTION', 'action'), column('TARGET', 'target'), column('STATUS', 'status')],
  },
  {
    name: 'query-sources',
    aliases: ['query-source', 'qs'],
    requires: [],
    list: () => ({ path: '/v1/query-sources' }),
    one: (_scope, name) => apiPath`/v1/query-sources/${name}`,
    columns: [column('NAME', 'name'), column('BASE-URL', 'baseUrl'), column('METRIC', 'metric'), column('QUERY', 'query'), column('STATUS', 'status'), column('CREATED', 'createdAt')],
  },
  {
    name: 'postgres-targets',
    aliases: ['postgres-target', 'pgt'],
    requires: [],
    list: () => ({ path: '/v1/postgres-targets' }),
    one: (_scope, name) => apiPath`/v1/postgres-targets/${name}`,
    columns: [column('NAME', 'name'), column('STACK', 'stack'), column('ENVIRONMENT', 'environment'), column('COMPONENT', 'component'), column('STATUS', 'status'), column('CREATED', 'createdAt')],
  },
];
