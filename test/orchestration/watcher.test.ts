import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appendLogEntry, createStop, WorkspaceWatcher, type WorkspaceSnapshot } from '../../orchestration/index.js';
import { originalDir, sharedFile, workspaceWith } from './workspace-fixture.js';

const watchers: WorkspaceWatcher[] = [];
afterEach(async () => {
  await Promise.all(watchers.splice(0).map((watcher) => watcher.close()));
});

async function started(
  root: string,
  options: ConstructorParameters<typeof WorkspaceWatcher>[1] = {},
): Promise<WorkspaceWatcher> {
  const watcher = new WorkspaceWatcher(root, { throttleMs: 20, ...options });
  watchers.push(watcher);
  await watcher.start();
  return watcher;
}

/** Resolves with the first snapshot that satisfies `predicate` (fails the test after 10 s). */
function snapshotWhere(
  watcher: WorkspaceWatcher,
  predicate: (snapshot: WorkspaceSnapshot) => boolean,
): Promise<WorkspaceSnapshot> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const snapshot = watcher.getSnapshot();
      if (!predicate(snapshot)) return false;
      unsubscribe();
      clearTimeout(timer);
      resolve(snapshot);
      return true;
    };
    const unsubscribe = watcher.subscribe(() => void check());
    const timer = setTimeout(() => {
      unsubscribe();
      reject(
        new Error(
          `no matching snapshot; last: ${JSON.stringify({ ...watcher.getSnapshot(), log: undefined }).slice(0, 400)}`,
        ),
      );
    }, 10_000);
    check();
  });
}

function queueText(ids: string[]): string {
  return `${JSON.stringify({ experiment_queue: ids.map((id) => ({ id, name: id, priority: 1, status: 'available' })) }, null, 2)}\n`;
}

describe('WorkspaceWatcher', () => {
  it('starts with typed views of every file', async () => {
    const root = workspaceWith({
      'coordination.json': 'coordination.json',
      'experiment_queue.json': 'experiment_queue.json',
      'experiments/perturbed_extended_polish/STATE.json': 'experiment-STATE.json',
    });
    fs.copyFileSync(path.join(originalDir, 'ITERATION_LOG.md'), path.join(root, 'ITERATION_LOG.md'));
    const snapshot = (await started(root)).getSnapshot();
    expect(snapshot.queue?.counts.available).toBe(7);
    expect(snapshot.coordination?.best?.score).toBe(1.1689);
    expect(snapshot.stop).toEqual({ present: false, targetReached: false });
    expect(snapshot.log.lines).toHaveLength(400);
    expect(snapshot.log.entries.at(-1)).toMatchObject({
      worker: 'W1',
      experiment: 'perturbed_extended_polish',
      score: 1.1464,
      timeMin: 51.2,
      flags: ['NEW BEST'],
    });
    expect(snapshot.experiments).toEqual([
      {
        name: 'perturbed_extended_polish',
        status: 'completed',
        worker: 'W1',
        runs: 5,
        bestInBudget: { score: 1.146444911151664, timeMin: 51.1612318555514 },
      },
    ]);
    expect(snapshot.errors).toEqual([]);
    expect(Object.isFrozen(snapshot)).toBe(true);
  });

  it('keeps the last good queue while the file is malformed, reports file/line/column, recovers when fixed', async () => {
    const root = workspaceWith();
    const file = sharedFile(root, 'experiment_queue.json');
    fs.writeFileSync(file, queueText(['A', 'B']));
    const watcher = await started(root);
    expect(watcher.getSnapshot().queue?.counts.available).toBe(2);
    const before = watcher.getSnapshot();
    fs.writeFileSync(file, '{\n  "experiment_queue": [\n    {"id": "A",');
    const broken = await snapshotWhere(watcher, (snapshot) => snapshot.errors.length > 0);
    expect(broken.errors[0].file).toBe(file);
    expect(broken.errors[0].message).toMatch(/invalid JSON at line 3, column \d+/);
    expect(broken.queue).toBe(before.queue);
    expect(before.errors).toEqual([]); // the old snapshot object is unchanged
    fs.writeFileSync(file, queueText(['A', 'B', 'C']));
    const fixed = await snapshotWhere(
      watcher,
      (snapshot) => snapshot.errors.length === 0 && snapshot.queue?.counts.available === 3,
    );
    expect(fixed.version).toBeGreaterThan(broken.version);
  });

  it('follows a queue that is created, replaced by rename, and deleted', async () => {
    const root = workspaceWith();
    const watcher = await started(root);
    expect(watcher.getSnapshot().queue?.format).toBe('missing');
    const file = sharedFile(root, 'experiment_queue.json');
    fs.writeFileSync(file, queueText(['A']));
    await snapshotWhere(watcher, (snapshot) => snapshot.queue?.counts.total === 1);
    fs.writeFileSync(`${file}.tmp`, queueText(['A', 'B', 'C', 'D']));
    fs.renameSync(`${file}.tmp`, file);
    await snapshotWhere(watcher, (snapshot) => snapshot.queue?.counts.total === 4);
    fs.rmSync(file);
    await snapshotWhere(watcher, (snapshot) => snapshot.queue?.format === 'missing');
  });

  it('sees STOP, log appends and log truncation', async () => {
    const root = workspaceWith();
    const watcher = await started(root);
    await createStop(root, 'forced');
    await snapshotWhere(watcher, (snapshot) => snapshot.stop.present && snapshot.stop.reason === 'forced');
    await appendLogEntry(root, {
      worker: 'W2',
      experiment: 'sigma_ladder',
      score: 1.1658,
      timeMin: 70,
      flags: ['FAILED'],
    });
    const appended = await snapshotWhere(watcher, (snapshot) => snapshot.log.entries.length === 1);
    expect(appended.log.entries[0]).toMatchObject({
      worker: 'W2',
      experiment: 'sigma_ladder',
      score: 1.1658,
      timeMin: 70,
      flags: ['FAILED'],
    });
    fs.truncateSync(path.join(root, 'ITERATION_LOG.md'), 0);
    await snapshotWhere(watcher, (snapshot) => snapshot.log.lines.length === 0 && snapshot.log.entries.length === 0);
  });

  it('keeps publishing while a file is rewritten continuously (no trailing debounce starvation)', async () => {
    const root = workspaceWith();
    const file = sharedFile(root, 'experiment_queue.json');
    fs.writeFileSync(file, queueText(['start']));
    const watcher = await started(root, { throttleMs: 50 });
    // Keep writing until the screen has shown two different intermediate states; a trailing
    // debounce would show nothing until the writes stop, and the loop would run out.
    const seen = new Set<number>();
    const unsubscribe = watcher.subscribe(() => seen.add(watcher.getSnapshot().queue?.counts.total ?? 0));
    let writes = 0;
    while (seen.size < 2 && writes < 2000) {
      writes++;
      fs.writeFileSync(file, queueText(Array.from({ length: writes + 1 }, (_, i) => `E${i}`)));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    unsubscribe();
    expect(seen.size).toBeGreaterThanOrEqual(2);
    expect(writes).toBeLessThan(2000);
  });

  it('sees the last of several quick writes (chokidar alone can drop its event)', async () => {
    const root = workspaceWith();
    const file = sharedFile(root, 'experiment_queue.json');
    fs.writeFileSync(file, queueText(['A']));
    const watcher = await started(root);
    for (let n = 2; n <= 6; n++) {
      fs.writeFileSync(file, queueText(Array.from({ length: n }, (_, i) => `E${i}`)));
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    await snapshotWhere(watcher, (snapshot) => snapshot.queue?.counts.total === 6);
  });

  it('a workspace folder created after the watcher started is picked up', async () => {
    const root = path.join(workspaceWith(), 'later');
    const watcher = await started(root);
    expect(watcher.getSnapshot().queue?.format).toBe('missing');
    fs.mkdirSync(path.join(root, 'orchestration', 'shared'), { recursive: true });
    fs.writeFileSync(path.join(root, 'orchestration', 'shared', 'experiment_queue.json'), queueText(['A', 'B']));
    await snapshotWhere(watcher, (snapshot) => snapshot.queue?.counts.total === 2);
  });

  it('a change no watcher event reports is still picked up by the stat recheck', async () => {
    const root = workspaceWith();
    // Polling once a minute: chokidar will not report anything during this test.
    const watcher = await started(root, { poll: true, intervalMs: 60_000 });
    fs.writeFileSync(sharedFile(root, 'coordination.json'), JSON.stringify({ best_score: 1.2, best_time_min: 50 }));
    expect((await snapshotWhere(watcher, (s) => s.coordination?.best?.score === 1.2)).coordination?.best?.timeMin).toBe(
      50,
    );
  });

  it('polling mode notices changes too (bind mounts without events)', async () => {
    const root = workspaceWith();
    const watcher = await started(root, { poll: true, intervalMs: 50 });
    fs.writeFileSync(
      sharedFile(root, 'coordination.json'),
      JSON.stringify({ best_score: 1.3, best_time_min: 50, target_score: 1.25 }),
    );
    const snapshot = await snapshotWhere(watcher, (s) => s.coordination?.best?.score === 1.3);
    expect(snapshot.stop.targetReached).toBe(true);
  });
});
