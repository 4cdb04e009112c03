import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll } from 'vitest';

import { cliPath, repoRoot } from './repo-paths.js';

export { cliPath, repoRoot };
/** Reference data the tests read, kept in the repository so a fresh clone with nothing beside it passes. */
export const fixturesDir = path.join(repoRoot, 'test', 'fixtures', 'reference');

/** Runs the built CLI (`npm test` builds first) and never throws on a non-zero exit. */
export async function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; input?: string; timeout?: number } = {},
) {
  const result = await execa(process.execPath, [cliPath, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...options.env, FORCE_COLOR: '0' },
    input: options.input,
    reject: false,
    timeout: options.timeout ?? 120_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

const tempDirs = new Set<string>();
const removeTempDirs = () => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
};
// Vitest ends its fork workers without an 'exit' event, which left hundreds of folders in /tmp: remove them
// after the test file too (this module is imported while a test file is collected, so the hook is the file's).
try {
  afterAll(removeTempDirs);
} catch {
  // Imported outside a test run: the exit handler below still cleans up.
}
process.once('exit', removeTempDirs);

/** A fresh temporary folder, removed after the test file (and when the test process exits). */
export function makeTempDir(prefix = 'ralph-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** A config name unique to a temp workspace (its containers are named after it): PREFIX + the folder's last 6 characters. */
export function workspaceName(prefix: string, workspace: string): string {
  return `${prefix}${path
    .basename(workspace)
    .slice(-6)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x')}`;
}
