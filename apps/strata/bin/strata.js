#!/usr/bin/env node
// The `strata` command (package.json "bin"; `npx strata` in the repository): Strata's TypeScript
// run directly, as `npm start` runs it.
process.setSourceMapsEnabled(true);
require('../../../deploy/node/register.js');
require('../src/main.ts');
