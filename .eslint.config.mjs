// Lint rules, with the architecture enforced: every Nx project is tagged by type and scope, and
// @nx/enforce-module-boundaries refuses imports that cross the allowed directions.
import nx from '@nx/eslint-plugin';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const sharedScopes = ['scope:shared'];

/** What a type:domain library may not import: no database client, no ORM, no Nest. */
const DOMAIN_BANNED_IMPORTS = ['pg', 'pg-*', 'typeorm', '@nestjs/*'];

/**
 * Nx checks packages only, not Node's built-in modules: the file system is banned from the same
 * libraries by no-restricted-imports, on the roots of the projects tagged type:domain (their specs
 * may read fixtures).
 */
const root = dirname(fileURLToPath(import.meta.url));
const domainRoots = readdirSync(join(root, 'libs'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => `libs/${entry.name}`)
  .filter((libRoot) => {
    try {
      return JSON.parse(readFileSync(join(root, libRoot, 'project.json'), 'utf8')).tags.includes('type:domain');
    } catch {
      return false;
    }
  });
const noFileSystem = {
  'no-restricted-imports': [
    'error',
    {
      paths: ['fs', 'node:fs', 'fs/promises', 'node:fs/promises'].map((name) => ({ name, message: 'a type:domain library does no I/O: read files in a service or infra library and pass the data in' })),
    },
  ],
};

const typeConstraints = [
  // Layers: pure domain and contracts at the bottom, apps at the top; nothing imports an app.
  // No I/O and no framework in the domain: pure functions a test calls without a database, a broker or Nest.
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: [], bannedExternalImports: DOMAIN_BANNED_IMPORTS },
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:contracts', 'type:domain'] },
  { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:infra', 'type:util', 'type:contracts', 'type:domain'] },
  { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:infra', 'type:util', 'type:contracts', 'type:domain'] },
  // libs/testing/harness builds apps the way the launcher does (bus, API, PostgreSQL), so it stands on infra and
  // on libs/testing; never on a service. It is a project of its own: infra's own specs use libs/testing.
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:testing', 'type:infra', 'type:util', 'type:contracts', 'type:domain'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:service', 'type:infra', 'type:util', 'type:contracts', 'type:domain'] },
];

const scopeConstraints = [
  // Scopes: a service sees only itself and shared code; the launcher composes every service.
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: sharedScopes },
  { sourceTag: 'scope:registry', onlyDependOnLibsWithTags: ['scope:registry', ...sharedScopes] },
  { sourceTag: 'scope:metrics-ingest', onlyDependOnLibsWithTags: ['scope:metrics-ingest', ...sharedScopes] },
  { sourceTag: 'scope:predictive-staging', onlyDependOnLibsWithTags: ['scope:predictive-staging', ...sharedScopes] },
  { sourceTag: 'scope:routing-control', onlyDependOnLibsWithTags: ['scope:routing-control', ...sharedScopes] },
  { sourceTag: 'scope:rollback', onlyDependOnLibsWithTags: ['scope:rollback', ...sharedScopes] },
  { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['scope:gateway', ...sharedScopes] },
  // A test tool: a backend that knows nothing of Strata.
  { sourceTag: 'scope:sample-backend', onlyDependOnLibsWithTags: [] },
  // The dashboard's pages: they talk to Strata over HTTP only, like any client.
  { sourceTag: 'scope:dashboard', onlyDependOnLibsWithTags: [] },
  // The evaluation commands (NAB scorer, forecast and judge evaluations): tools over the shared analytics, not runtime code.
  { sourceTag: 'scope:eval', onlyDependOnLibsWithTags: sharedScopes },
  {
    sourceTag: 'scope:strata',
    onlyDependOnLibsWithTags: [
      'scope:registry',
      'scope:metrics-ingest',
      'scope:predictive-staging',
      'scope:routing-control',
      'scope:rollback',
      'scope:gateway',
      ...sharedScopes,
    ],
  },
];

/** Tests may also use the testing library (factories, databases, brokers); production code may not. */
function boundaries({ tests }) {
  const types = tests
    ? typeConstraints.map((constraint) =>
        constraint.sourceTag === 'type:domain' || constraint.sourceTag === 'type:contracts'
          ? constraint
          : { ...constraint, onlyDependOnLibsWithTags: [...constraint.onlyDependOnLibsWithTags, 'type:testing'] },
      )
    : typeConstraints;
  return [
    'error',
    {
      enforceBuildableLibDependency: false,
      banTransitiveDependencies: false,
      allow: [],
      depConstraints: [...types, ...scopeConstraints],
    },
  ];
}

const testFiles = ['**/*.spec.ts', '**/*.integration-spec.ts', '**/*.e2e-spec.ts', '**/*.contract.ts', '**/test-support/**/*.ts', 'test/**/*.ts'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: ['**/node_modules/**', '**/dist/**', '.strata/**', 'deploy/kafka/.cache/**', '.nx/**', 'coverage/**'],
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries({ tests: false }),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
    },
  },
  {
    files: domainRoots.map((libRoot) => `${libRoot}/**/*.ts`),
    ignores: testFiles,
    rules: noFileSystem,
  },
  {
    files: testFiles,
    rules: {
      '@nx/enforce-module-boundaries': boundaries({ tests: true }),
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];
