import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkspaceWatcher, type WorkspaceSnapshot } from '../../orchestration/index.js';
import { writeRalphShim } from '../../src/supervisor/local-launch.js';
import { makeTempDir } from '../helpers/cli.js';

const ESCAPES = '\x1b]52;c;cm0gLXJmIH4K\x07\x1b]0;pwned\x07\x1b[2J\u009b2J';
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/;
const watchers: WorkspaceWatcher[] = [];
afterEach(async () => {
  await Promise.all(watchers.splice(0).map((watcher) => watcher.close()));
});

function workspace(): { root: string; queue: string } {
  const root = makeTempDir();
  const shared = path.join(root, 'orchestration', 'shared');
  fs.mkdirSync(shared, { recursive: true });
  const queue = path.join(shared, 'experiment_queue.json');
  fs.writeFileSync(
    queue,
    JSON.stringify({
      experiment_queue: [{ id: 'E1', name: `good${ESCAPES}`, priority: 1, status: 'available', family: `f${ESCAPES}` }],
    }),
  );
  fs.writeFileSync(
    path.join(root, 'ITERATION_LOG.md'),
    `### [W1] Experiment: x${ESCAPES} | Score: 1.1000 @ 2.0 min\n**Key Finding**: ${ESCAPES}found\n`,
  );
  return { root, queue };
}

function until(
  watcher: WorkspaceWatcher,
  predicate: (snapshot: WorkspaceSnapshot) => boolean,
): Promise<WorkspaceSnapshot> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no matching snapshot')), 10_000);
    const check = () => {
      if (!predicate(watcher.getSnapshot())) return;
      clearTimeout(timer);
      off();
      resolve(watcher.getSnapshot());
    };
    const off = watcher.subscribe(check);
    check();
  });
}

describe('what the screen shows of hostile shared files', () => {
  it('given names and log entries with escape sequences, when the watcher reads them, then the snapshot holds only plain text', async () => {
    const { root } = workspace();
    const watcher = new WorkspaceWatcher(root, { throttleMs: 20 });
    watchers.push(watcher);
    await watcher.start();
    const snapshot = watcher.getSnapshot();
    expect(snapshot.queue?.entries[0]).toMatchObject({ name: 'good', family: 'f' });
    expect(JSON.stringify(snapshot)).not.toMatch(/\\u001b|\\u0007|\\u009b/);
    expect(JSON.stringify(snapshot)).not.toMatch(CONTROL);
    expect(snapshot.log.entries[0]?.experiment).toBe('x');
  });

  it('given the queue replaced by a FIFO, when the watcher reads it, then the last good queue stays and the error names the FIFO', async () => {
    const { root, queue } = workspace();
    const watcher = new WorkspaceWatcher(root, { throttleMs: 20 });
    watchers.push(watcher);
    await watcher.start();
    fs.rmSync(queue);
    execFileSync('mkfifo', [queue]);
    const snapshot = await until(watcher, (s) => s.errors.some((error) => /is a FIFO/.test(error.message)));
    expect(snapshot.queue?.entries.map((entry) => entry.id)).toEqual(['E1']);
  });
});

describe('the wrapper local agents find on their PATH', () => {
  it('given an agent replaced .ralph/bin/ralph-tui with a link to a host file, when the supervisor writes it again, then the link is replaced by the wrapper and the host file is untouched', () => {
    const root = makeTempDir();
    const hostFile = path.join(makeTempDir(), 'bashrc');
    fs.writeFileSync(hostFile, 'host\n');
    const dir = path.join(root, '.ralph', 'bin');
    fs.mkdirSync(dir, { recursive: true });
    fs.symlinkSync(hostFile, path.join(dir, 'ralph-tui'));
    writeRalphShim(dir);
    const shim = path.join(dir, 'ralph-tui');
    expect(fs.lstatSync(shim).isFile()).toBe(true);
    expect(fs.readFileSync(shim, 'utf8')).toMatch(/^#!\/bin\/sh\nexec /);
    expect(fs.statSync(shim).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(hostFile, 'utf8')).toBe('host\n');
  });
});
