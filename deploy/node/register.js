// Runs Strata's TypeScript directly: swc compiles each module on load (with the decorator
// metadata NestJS needs) and the @strata/* aliases resolve through tsconfig.base.json.
const path = require('node:path');

process.env.SWC_NODE_PROJECT ??= path.resolve(__dirname, '../../tsconfig.base.json');
require('@swc-node/register');
