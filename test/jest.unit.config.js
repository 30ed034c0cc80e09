// Unit tier alone: no database, no broker, no global setup.
const preset = require('./jest.preset');

module.exports = { ...preset, displayName: 'unit', testTimeout: 15_000, testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts', '<rootDir>/test/{architecture,fuzz,bench}/**/*.spec.ts'] };
