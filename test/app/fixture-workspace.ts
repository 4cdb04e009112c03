import fs from 'node:fs';
import path from 'node:path';
import { fixturesDir, makeTempDir } from '../helpers/cli.js';

let shared: string | undefined;

/** A temp workspace holding the original deployment's files (queue, coordination, ITERATION_LOG); read-only, so one per test file. */
export function fixtureWorkspace(): string {
  if (shared) return shared;
  const root = (shared = makeTempDir('ralph-screen-'));
  const folder = path.join(root, 'orchestration', 'shared');
  fs.mkdirSync(folder, { recursive: true });
  const original = path.join(fixturesDir, 'original');
  fs.copyFileSync(path.join(original, 'experiment_queue.json'), path.join(folder, 'experiment_queue.json'));
  fs.copyFileSync(path.join(original, 'coordination.json'), path.join(folder, 'coordination.json'));
  fs.copyFileSync(path.join(original, 'ITERATION_LOG.md'), path.join(root, 'ITERATION_LOG.md'));
  return root;
}
