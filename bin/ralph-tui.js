#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run automatically by npm start / npm test).
import module from 'node:module';

// Node ≥ 22.1 can cache compiled code between runs (agents call the CLI dozens of times per experiment);
// Node 20 has no such cache, hence the guard.
module.enableCompileCache?.();

import('../dist/src/cli.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/src/cli.js')) {
    process.stderr.write('ralph-tui: not built yet — run `npm run build` first.\n');
    process.exit(2);
  }
  throw error;
});
