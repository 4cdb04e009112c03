// Where the repository and its CLI are, for tests and benchmarks alike (no test-runner imports here).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from test/helpers/ (vitest) or dist/test/helpers/ (a built benchmark). */
export const repoRoot = (() => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const up = path.resolve(here, '..', '..');
  return path.basename(up) === 'dist' ? path.dirname(up) : up;
})();
export const cliPath = path.join(repoRoot, 'bin', 'ralph-tui.js');
