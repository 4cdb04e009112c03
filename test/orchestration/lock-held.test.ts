import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { updateJson } from '../../orchestration/json-store.js';
import { withLock } from '../../orchestration/lock.js';
import { workspacePaths } from '../../core/workspace-paths.js';

let root: string;
let file: string;
let lock: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-held-'));
  const paths = workspacePaths(root);
  fs.mkdirSync(paths.shared, { recursive: true });
  file = paths.queue;
  lock = path.join(paths.locks, 'queue.lock');
  fs.writeFileSync(file, '{"entries":[]}\n');
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('a write under a lock checks the lock right before it replaces the file', () => {
  it('given the lock was broken and taken by another process mid-update, when the update writes, then it fails and the file is as it was', async () => {
    const update = withLock(lock, async () => {
      // Another process decided our lock was stale, removed it and took it (the folder looks the same).
      fs.rmdirSync(lock);
      let releaseOther!: () => void;
      let taken!: () => void;
      const tookIt = new Promise<void>((resolve) => (taken = resolve));
      const other = withLock(lock, () => {
        taken();
        return new Promise<void>((resolve) => (releaseOther = resolve));
      });
      await tookIt;
      try {
        await updateJson(file, (doc) => doc.entries.push({ id: 'lost' }));
      } finally {
        releaseOther();
        await other;
      }
    });
    await expect(update).rejects.toThrow(/lost the lock .*queue\.lock.*removed or replaced.*not written/);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"entries":[]}\n');
    expect(fs.readdirSync(path.dirname(file)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('given the lock has not been refreshed for longer than the stale time, when the update writes, then it fails', async () => {
    const update = withLock(lock, async () => {
      const old = new Date(Date.now() - 60_000);
      fs.utimesSync(lock, old, old);
      await updateJson(file, (doc) => doc.entries.push({ id: 'late' }));
    });
    await expect(update).rejects.toThrow(/lost the lock .*not refreshed/);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"entries":[]}\n');
  });

  it('given the lock is held throughout, when the update writes, then the file changes', async () => {
    await withLock(lock, () => updateJson(file, (doc) => doc.entries.push({ id: 'ok' })));
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).entries).toEqual([{ id: 'ok' }]);
  });
});
