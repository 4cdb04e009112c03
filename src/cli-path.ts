// Where this install's `ralph-tui` entry script is, for starting the CLI as a child process.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exists } from '../core/safe-fs.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The CLI entry, seen from dist/src/ (built) or src/ (under vitest). */
const cliCandidates = [
  path.resolve(here, '..', '..', 'bin', 'ralph-tui.js'),
  path.resolve(here, '..', 'bin', 'ralph-tui.js'),
];
export const cliPath = cliCandidates.find((file) => exists(file)) ?? cliCandidates[0];
