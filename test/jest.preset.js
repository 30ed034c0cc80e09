// Shared by every test tier: swc transpiles TypeScript (test/support/swc-transformer.js) with decorator metadata (Nest needs it),
// and the @strata/* aliases resolve to library sources exactly as tsconfig.base.json says.
const path = require('node:path');
const { compilerOptions } = require('../tsconfig.base.json');

const rootDir = path.resolve(__dirname, '..');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target}`]),
);

module.exports = {
  rootDir,
  testEnvironment: 'node',
  moduleNameMapper,
  transform: {
    '^.+\\.ts$': [
      '<rootDir>/test/support/swc-transformer.js',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['<rootDir>/test/support/quiet-logs.ts'],
  modulePathIgnorePatterns: ['<rootDir>/.strata/', '<rootDir>/deploy/kafka/.cache/'],
};
