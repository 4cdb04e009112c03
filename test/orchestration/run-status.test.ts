import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { RunProgressFile, WorkspaceWatcher, type WorkspaceSnapshot } from '../../orchestration/index.js';
import { workspacePaths } from '../../core/workspace-paths.js';
import { workspaceWith } from './workspace-fixture.js';

const watchers: WorkspaceWatcher[] = [];
const children: Array<ReturnType<typeof execa>> = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await Promise.all(watchers.splice(0).map((watcher) => watcher.close()));
});

async function started(root: string): Promise<WorkspaceWatcher> {
  const watcher = new WorkspaceWatcher(root, { throttleMs: 20 });
  watchers.push(watcher);
  await watcher.start();
  return watcher;
}

function snapshotWhere(
  watcher: WorkspaceWatcher,
  what: string,
  predicate: (snapshot: WorkspaceSnapshot) => boolean,
): Promise<WorkspaceSnapshot> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const snapshot = watcher.getSnapshot();
      if (!predicate(snapshot)) return;
      unsubscribe();
      clearTimeout(timer);
      resolve(snapshot);
    };
    const unsubscribe = watcher.subscribe(check);
    const timer = setTimeout(() => {
      unsubscribe();
      reject(
        new Error(`${what}: no matching snapshot; runs: ${JSON.stringify(watcher.getSnapshot().runs).slice(0, 600)}`),
      );
    }, 10_000);
    check();
  });
}

function status(overrides: Partial<RunProgressFile>): RunProgressFile {
  const now = new Date().toISOString();
  return v.parse(RunProgressFile, {
    run_id: 'r',
    name: 'tiny',
    pid: process.pid,
    host: os.hostname(),
    state: 'running',
    done: 0,
    total: 4,
    elapsed: 1,
    started_at: now,
    updated_at: now,
    last_lines: [],
    ...overrides,
  });
}

function writeStatus(root: string, file: RunProgressFile): void {
  const target = workspacePaths(root).progressFile(file.run_id);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(`${target}.tmp`, JSON.stringify(file));
  fs.renameSync(`${target}.tmp`, target);
}

/**
 * Another process (an agent's `ralph-tui run`, here a small node script) writing its own status file: it
 * reports sample 1 of 4 with its own pid, then on a line on stdin reports the end, then waits to be killed.
 */
const writerScript = `
const fs = require('node:fs'), os = require('node:os'), path = require('node:path');
const [file, id] = process.argv.slice(1);
const write = (extra) => {
  const now = new Date().toISOString();
  const data = { run_id: id, name: 'from_agent', worker: 'W2', pid: process.pid, host: os.hostname(), done: 1, total: 4, elapsed: 2.5, eta: 7.5, running_score: 1.1, projected_400_samples_min: 16.7, started_at: now, updated_at: now, last_lines: [], state: 'running', ...extra };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file + '.tmp', JSON.stringify(data));
  fs.renameSync(file + '.tmp', file);
};
write({});
console.log('written');
process.stdin.once('data', () => { write({ state: 'finished', done: 4, score: 1.2345, against: 'Y' }); console.log('finished'); });
setInterval(() => {}, 1000);
`;

function startWriter(root: string, id: string) {
  const child = execa(process.execPath, ['-e', writerScript, workspacePaths(root).progressFile(id), id], {
    reject: false,
    buffer: false,
    stdin: 'pipe',
  });
  children.push(child);
  const lines: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  return { child, said: (line: string) => lines.includes(line) };
}

describe('WorkspaceWatcher: live experiment runs (.ralph/progress/)', () => {
  it('lists a run another process writes, follows it to finished with its score, and shows a killed one as interrupted', async () => {
    const root = workspaceWith();
    const watcher = await started(root);
    expect(watcher.getSnapshot().runs).toEqual([]);

    const agent = startWriter(root, 'agent-run');
    const running = await snapshotWhere(watcher, 'the agent run, running', (s) =>
      s.runs.some((run) => run.id === 'agent-run'),
    );
    expect(running.runs[0]).toMatchObject({
      id: 'agent-run',
      name: 'from_agent',
      worker: 'W2',
      state: 'running',
      done: 1,
      total: 4,
      etaSeconds: 7.5,
      runningScore: 1.1,
      projected400Min: 16.7,
      pid: agent.child.pid,
    });

    agent.child.stdin!.write('end\n');
    const finished = await snapshotWhere(watcher, 'the agent run, finished', (s) => s.runs[0]?.state === 'finished');
    expect(finished.runs[0]).toMatchObject({
      id: 'agent-run',
      state: 'finished',
      done: 4,
      score: 1.2345,
      against: 'Y',
    });
    expect(finished.runs[0]).not.toHaveProperty('etaSeconds');

    // A second run whose process dies without a word (SIGKILL: nothing can write its end).
    const doomed = startWriter(root, 'killed-run');
    await snapshotWhere(watcher, 'the second run, running', (s) =>
      s.runs.some((run) => run.id === 'killed-run' && run.state === 'running'),
    );
    doomed.child.kill('SIGKILL');
    await doomed.child;
    const interrupted = await snapshotWhere(watcher, 'the killed run, interrupted', (s) =>
      s.runs.some((run) => run.id === 'killed-run' && run.state === 'interrupted'),
    );
    expect(JSON.parse(fs.readFileSync(workspacePaths(root).progressFile('killed-run'), 'utf8')).state).toBe('running'); // the file itself is untouched
    expect(interrupted.runs.find((run) => run.id === 'agent-run')?.state).toBe('finished');
    expect(interrupted.errors).toEqual([]);
  }, 30_000);

  it('judges a run from another host or pid namespace (container) by its heartbeat, not its pid; keeps every running run and the latest 20 others, newest first', async () => {
    const root = workspaceWith();
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    // pid 999999 does not exist here; on its own host it may well be alive.
    writeStatus(
      root,
      status({
        run_id: 'elsewhere-live',
        host: 'another-container',
        pid: 999_999,
        started_at: minutesAgo(1),
        updated_at: minutesAgo(0.2),
      }),
    );
    writeStatus(
      root,
      status({
        run_id: 'elsewhere-silent',
        host: 'another-container',
        pid: 999_999,
        started_at: minutesAgo(30),
        updated_at: minutesAgo(10),
      }),
    );
    // A container on the host network has the host's hostname, but its own pid namespace.
    writeStatus(root, status({ run_id: 'host-network', pid: 999_999, pid_ns: 'pid:[1]', started_at: minutesAgo(2) }));
    for (let i = 0; i < 25; i++)
      writeStatus(
        root,
        status({
          run_id: `old-${String(i).padStart(2, '0')}`,
          state: 'finished',
          done: 4,
          score: 1,
          started_at: minutesAgo(100 - i),
          updated_at: minutesAgo(99 - i),
        }),
      );
    const snapshot = (await started(root)).getSnapshot();
    expect(snapshot.runs.find((run) => run.id === 'elsewhere-live')?.state).toBe('running');
    expect(snapshot.runs.find((run) => run.id === 'elsewhere-silent')?.state).toBe('interrupted');
    expect(snapshot.runs.find((run) => run.id === 'host-network')?.state).toBe('running');
    expect(snapshot.runs).toHaveLength(22); // 2 running + 20 others
    expect(snapshot.runs.map((run) => run.id).slice(0, 4)).toEqual([
      'elsewhere-live',
      'host-network',
      'elsewhere-silent',
      'old-24',
    ]);
    expect(snapshot.runs.map((run) => run.id)).not.toContain('old-04');
  });

  it('reports a status file that is not one, and keeps the others', async () => {
    const root = workspaceWith();
    writeStatus(root, status({ run_id: 'good' }));
    fs.writeFileSync(workspacePaths(root).progressFile('bad'), JSON.stringify({ run_id: 'bad' }));
    const snapshot = (await started(root)).getSnapshot();
    expect(snapshot.runs.map((run) => run.id)).toEqual(['good']);
    expect(snapshot.errors).toEqual([
      { file: workspacePaths(root).progressFile('bad'), message: expect.stringContaining('not a run status file') },
    ]);
  });
});
