// The Ink patch (bounded caches, per-frame line caches) must be applied: `npm install --ignore-scripts` or an Ink
// upgrade silently brings back the memory leak it fixes, so this test reads the installed files.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

const patchFile = path.join(repoRoot, 'patches', 'ink+7.1.1.patch');

/** The lines each file of a unified diff adds, by the file's path relative to the repository. */
function addedLinesByFile(patch: string): Map<string, string[]> {
  const files = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of patch.split('\n')) {
    const target = /^\+\+\+ b\/(.+)$/.exec(line);
    if (target) files.set(target[1], (current = []));
    else if (current && line.startsWith('+') && line.slice(1).trim() !== '') current.push(line.slice(1));
  }
  return files;
}

describe('the Ink patch', () => {
  it('names the Ink version that is installed, pinned exactly in package.json', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    const installed = JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules', 'ink', 'package.json'), 'utf8'));
    expect(pkg.dependencies.ink).toBe('7.1.1');
    expect(installed.version).toBe('7.1.1');
    expect(fs.existsSync(patchFile)).toBe(true);
  });

  it('is applied: every line it adds is in the installed Ink files (run `npx patch-package` if this fails)', () => {
    const added = addedLinesByFile(fs.readFileSync(patchFile, 'utf8'));
    expect(added.size).toBeGreaterThan(0);
    for (const [file, lines] of added) {
      const installed = fs.readFileSync(path.join(repoRoot, file), 'utf8');
      const missing = lines.filter((line) => !installed.includes(line));
      expect(missing, `${file} lacks the patch's lines`).toEqual([]);
    }
  });
});
