import fs from 'node:fs';
import path from 'node:path';
import { fixturesDir, makeTempDir } from '../helpers/cli.js';

export const originalDir = path.join(fixturesDir, 'original');

/** A temp workspace whose orchestration/shared/ holds copies of fixture files (name in workspace → fixture name). */
export function workspaceWith(files: Record<string, string> = {}): string {
  const root = makeTempDir('ralph-proto-');
  const shared = path.join(root, 'orchestration', 'shared');
  fs.mkdirSync(shared, { recursive: true });
  for (const [dest, fixture] of Object.entries(files)) {
    const target = dest.includes('/') ? path.join(root, dest) : path.join(shared, dest);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, fs.readFileSync(path.join(originalDir, fixture)));
  }
  return root;
}

export function sharedFile(root: string, name: string): string {
  return path.join(root, 'orchestration', 'shared', name);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a free-form JSON document whose unknown fields are kept as they are
export function readShared(root: string, name: string): any {
  return JSON.parse(fs.readFileSync(sharedFile(root, name), 'utf8'));
}
