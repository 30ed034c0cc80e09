// Lint rules, with the architecture enforced: every Nx project is tagged by type and scope, and
// @nx/enforce-module-boundaries refuses imports that cross the allowed directions.
import nx from '@nx/eslint-plugin';

const sharedScopes = ['scope:shared'];

const typeConstraints = [
  // Layers: pure domain and contracts at the bottom, apps at the top; nothing imports an app.
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: [] },
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
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries({ tests: false }),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
    },
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
