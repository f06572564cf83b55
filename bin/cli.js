#!/usr/bin/env node
// `npx autoscaler`: runs the TypeScript CLI (bin/cli.ts) through tsx; there is no build step.
require('tsx/cjs');
require('./cli.ts');
