import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error eslint.config.js is plain JavaScript without types.
import { fsBoundary } from '../../eslint.config.js';

/**
 * The safe file layer only protects what goes through it: the folders that touch agent-reachable paths may not
 * import node:fs (or write-file-atomic, which follows links) themselves. Type-only imports are harmless.
 */
// One list for this test and the ESLint rule (eslint.config.js), so editor and test run agree.
const boundary = fsBoundary as { files: string[]; exceptions: Record<string, string> };
const GUARDED = boundary.files.map((glob) => glob.replace(/\/\*\*$/, ''));
const EXCEPTIONS = boundary.exceptions;

const FORBIDDEN =
  /(?:^|\n)\s*import\s+(?!type\b)[^;]*?from\s+['"](?:node:)?fs(?:\/promises)?['"]|import\(\s*['"](?:node:)?fs(?:\/promises)?['"]\s*\)|require\(\s*['"](?:node:)?fs|['"]write-file-atomic['"]/;

function sources(entry: string): string[] {
  const stat = fs.statSync(entry);
  if (stat.isFile()) return [entry];
  return fs.readdirSync(entry).flatMap((name) => {
    const child = path.join(entry, name);
    return fs.statSync(child).isDirectory() ? sources(child) : /\.tsx?$/.test(name) ? [child] : [];
  });
}

describe('one module owns node:fs for workspace paths', () => {
  const files = GUARDED.flatMap(sources);

  it('given the guarded folders, when their imports are read, then none imports node:fs or write-file-atomic except the listed files', () => {
    const offenders = files.filter((file) => !(file in EXCEPTIONS) && FORBIDDEN.test(fs.readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('given the exceptions, when read, then each still needs its exception (no stale entries)', () => {
    const stale = Object.keys(EXCEPTIONS).filter((file) => !FORBIDDEN.test(fs.readFileSync(file, 'utf8')));
    expect(stale).toEqual([]);
  });

  it('given a module that imports node:fs, when checked, then the rule catches it', () => {
    expect(FORBIDDEN.test("import fs from 'node:fs';")).toBe(true);
    expect(FORBIDDEN.test("import { readFileSync } from 'fs';")).toBe(true);
    expect(FORBIDDEN.test("import fsp from 'node:fs/promises';")).toBe(true);
    expect(FORBIDDEN.test("import writeFileAtomic from 'write-file-atomic';")).toBe(true);
    expect(FORBIDDEN.test("import type { Dirent } from 'node:fs';")).toBe(false);
  });
});
