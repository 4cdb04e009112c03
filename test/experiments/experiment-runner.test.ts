import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExperimentRunner, type ExperimentRunView } from '../../src/experiments/experiment-runner.js';
import { makeTempDir, repoRoot } from '../helpers/cli.js';
import { isAlive } from '../helpers/processes.js';

const fakeScript = path.join(repoRoot, 'test', 'fixtures', 'progress', 'fake-experiment.mjs');
const fake = (...args: string[]) => [process.execPath, fakeScript, ...args];
let runner: ExperimentRunner | undefined;

afterEach(async () => {
  await runner?.dispose();
  runner = undefined;
});

/** Resolves with the run's view once `predicate` holds (checked on every published snapshot). */
function waitForRun(
  r: ExperimentRunner,
  id: string,
  predicate: (view: ExperimentRunView) => boolean,
): Promise<ExperimentRunView> {
  return new Promise((resolve) => {
    const check = () => {
      const view = r.getSnapshot().find((v) => v.id === id);
      if (view && predicate(view)) {
        unsubscribe();
        resolve(view);
      }
    };
    const unsubscribe = r.subscribe(check);
    check();
  });
}

const ended = (view: ExperimentRunView) => ['finished', 'failed', 'cancelled'].includes(view.state);

describe('ExperimentRunner', () => {
  it('runs a command speaking the JSON protocol and reports progress, ETA, running score and the final score', async () => {
    const workspace = makeTempDir();
    runner = new ExperimentRunner({ workspace });
    const seen: ExperimentRunView[] = [];
    runner.subscribe(() => seen.push(...runner!.getSnapshot()));
    const id = runner.start({ name: 'fake', command: fake('json') });
    const view = await waitForRun(runner, id, ended);
    expect(view).toMatchObject({
      name: 'fake',
      state: 'finished',
      exitCode: 0,
      done: 4,
      total: 4,
      score: 1.2345,
      against: 'Y_noisy',
      projected400Min: 12.5,
      workers: 2,
      etaSeconds: 0,
    });
    const midway = seen.find((v) => v.id === id && v.done === 2);
    expect(midway).toMatchObject({ state: 'running', total: 4, etaSeconds: 4, runningScore: 1.12, elapsedSeconds: 4 });
    // Protocol lines stay out of the human tail; other output is kept, and everything is in the log.
    expect(view.lastLines).toEqual(['warming up the simulator']);
    const log = fs.readFileSync(view.logFile, 'utf8');
    expect(path.dirname(view.logFile)).toBe(path.join(workspace, '.ralph', 'runs'));
    expect(log).toContain('"type":"end"');
    expect(log).toContain('warming up the simulator');
  });

  it('reads a tqdm bar on stderr and the Submission Score / Projected (400) lines, via a shell command line', async () => {
    runner = new ExperimentRunner({ workspace: makeTempDir() });
    const id = runner.start({ name: 'tqdm', command: `"${process.execPath}" "${fakeScript}" tqdm` });
    const view = await waitForRun(runner, id, ended);
    expect(view).toMatchObject({ state: 'finished', done: 10, total: 10, score: 1.05, projected400Min: 44 });
  });

  it('marks a failing command failed, with its exit code and the last lines of output', async () => {
    runner = new ExperimentRunner({ workspace: makeTempDir() });
    const id = runner.start({ name: 'broken', command: fake('fail') });
    const view = await waitForRun(runner, id, ended);
    expect(view.state).toBe('failed');
    expect(view.exitCode).toBe(3);
    expect(view.done).toBe(1);
    expect(view.lastLines.at(-1)).toBe('ValueError: sigma0 must be positive');
  });

  it('runs several at once, queues beyond maxConcurrent, and a cancelled queued run never starts', async () => {
    runner = new ExperimentRunner({ workspace: makeTempDir(), maxConcurrent: 2 });
    const a = runner.start({ name: 'a', command: fake('json') });
    const b = runner.start({ name: 'b', command: fake('json') });
    const c = runner.start({ name: 'c', command: fake('json') });
    const d = runner.start({ name: 'd', command: fake('json') });
    expect(runner.getSnapshot().map((v) => v.state)).toEqual(['running', 'running', 'queued', 'queued']);
    await runner.cancel(d);
    const views = await Promise.all([a, b, c].map((id) => waitForRun(runner!, id, ended)));
    expect(views.map((v) => v.state)).toEqual(['finished', 'finished', 'finished']);
    expect(runner.getSnapshot().find((v) => v.id === d)).toMatchObject({ state: 'cancelled', done: 0 });
    expect(fs.existsSync(runner.getSnapshot().find((v) => v.id === d)!.logFile)).toBe(false);
  });

  it('cancel stops the whole process group, escalating to SIGKILL for a grandchild that ignores SIGTERM', async () => {
    const workspace = makeTempDir();
    const pidFile = path.join(workspace, 'grandchild.pid');
    runner = new ExperimentRunner({ workspace, graceMs: 500 });
    const id = runner.start({ name: 'stuck', command: fake('hang', pidFile) });
    await waitForRun(runner, id, (v) => v.done === 1);
    const grandchild = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(isAlive(grandchild)).toBe(true);
    await runner.cancel(id);
    expect(runner.getSnapshot().find((v) => v.id === id)!.state).toBe('cancelled');
    expect(isAlive(grandchild)).toBe(false);
  });
});

describe('ExperimentRunner with a command that cannot start', () => {
  it('marks it failed and says why in the last lines', async () => {
    const r = new ExperimentRunner({ workspace: makeTempDir() });
    try {
      const id = r.start({ name: 'missing', command: ['/nonexistent/python3', 'run.py'] });
      const view = await waitForRun(r, id, ended);
      expect(view.state).toBe('failed');
      expect(view.lastLines.at(-1)).toMatch(/ENOENT|not found|nonexistent/);
    } finally {
      await r.dispose();
    }
  });
});
