#!/usr/bin/env node
// `npx autoscaler`: runs the TypeScript CLI (bin/cli.ts) through tsx; there is no build step. The ESM
// hooks too, for the modules a command loads on demand (`import()`: recommend's simulator).
require('tsx/cjs');
require('tsx/esm/api').register();
require('./cli.ts');
