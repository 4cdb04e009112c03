import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { createStop, parseLogEntries, readCoordination, readQueue } from '../../orchestration/index.js';
import { cliPath, makeTempDir, runCli } from '../helpers/cli.js';

const completedCount = (root: string) => {
  try {
    return readQueue(root).entries.filter((entry) => entry.status === 'completed').length;
  } catch {
    return 0;
  }
};

async function until(condition: () => boolean, what: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** `ralph-tui up --headless` until `completed` experiments are completed, then a graceful STOP; its exit and output. */
async function upUntil(root: string, completed: number): Promise<{ exitCode: number | undefined; output: string }> {
  const up = execa(process.execPath, [cliPath, '--workspace', root, 'up', '--headless'], {
    reject: false,
    stdin: 'ignore',
    env: { FORCE_COLOR: '0', CI: 'false' },
    timeout: 280_000,
  });
  let output = '';
  up.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  up.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    await until(
      () => completedCount(root) >= completed,
      () => `${completed} completed experiments; output so far:\n${output}`,
      240_000,
    );
  } finally {
    await createStop(root, 'e2e test done');
  }
  const ended = await up;
  return { exitCode: ended.exitCode, output };
}

describe('the default workspace, end to end', () => {
  it('`ralph-tui up --headless` on a fresh default workspace completes 2 experiments; STOP ends it with every file consistent; starting again resumes', async () => {
    // A 2-sample synthetic dataset so each experiment takes seconds; otherwise exactly what `init` writes.
    const root = makeTempDir('ralph-e2e-');
    const init = await runCli(['init', root, '--samples', '2', '--workers', '1']);
    expect(init.exitCode, init.stderr).toBe(0);
    const initialEntries = readQueue(root).entries.length;

    const first = await upUntil(root, 2);
    expect(first.exitCode, first.output).toBe(0);
    expect(first.output).toMatch(/W0/);
    expect(first.output).toMatch(/W1/);

    const entries = readQueue(root).entries;
    const completed = entries.filter((entry) => entry.status === 'completed');
    expect(completed.length).toBeGreaterThanOrEqual(2);
    for (const entry of completed) {
      expect(entry.worker).toBe('W1');
      expect(entry.score).toBeGreaterThan(0);
      expect(entry.timeMin).toBeGreaterThan(0);
    }
    // The orchestrator topped the queue up as W1 consumed it.
    expect(entries.length).toBeGreaterThan(initialEntries);
    // STOP: the running experiment finished, nothing left claimed.
    expect(entries.filter((entry) => entry.status === 'claimed' || entry.status === 'running')).toHaveLength(0);
    const log = parseLogEntries(fs.readFileSync(path.join(root, 'ITERATION_LOG.md'), 'utf8'));
    expect(log.map((entry) => entry.experiment).sort()).toEqual(completed.map((entry) => entry.name).sort());
    expect(readCoordination(root).best?.score).toBe(Math.max(...completed.map((entry) => entry.score as number)));
    const mlruns = path.join(root, 'mlruns');
    const runs = fs
      .readdirSync(mlruns)
      .filter((name) => fs.statSync(path.join(mlruns, name)).isDirectory() && name !== '.trash')
      .flatMap((experiment) =>
        fs
          .readdirSync(path.join(mlruns, experiment))
          .filter((name) => fs.statSync(path.join(mlruns, experiment, name)).isDirectory()),
      );
    expect(runs.length).toBeGreaterThanOrEqual(completed.length);

    // Starting again resumes: STOP cleared, one more experiment, none run twice, nothing left claimed.
    expect((await runCli(['--workspace', root, 'resume'])).exitCode).toBe(0);
    const second = await upUntil(root, completed.length + 1);
    expect(second.exitCode, second.output).toBe(0);
    const again = readQueue(root).entries;
    const done = again.filter((entry) => entry.status === 'completed');
    expect(done.length).toBeGreaterThan(completed.length);
    expect(again.filter((entry) => entry.status === 'claimed' || entry.status === 'running')).toHaveLength(0);
    const logged = parseLogEntries(fs.readFileSync(path.join(root, 'ITERATION_LOG.md'), 'utf8')).map(
      (entry) => entry.experiment,
    );
    expect(logged.sort()).toEqual(done.map((entry) => entry.name).sort());
    for (const entry of done) {
      const state = JSON.parse(fs.readFileSync(path.join(root, 'experiments', entry.name, 'STATE.json'), 'utf8'));
      expect(state.tuning_runs, entry.name).toHaveLength(1);
    }
  }, 400_000);
});
