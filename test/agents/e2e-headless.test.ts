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

async function until(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('the default workspace, end to end', () => {
  it('`ralph-tui up --headless` on a fresh default workspace completes 2 experiments; STOP ends it with every file consistent', async () => {
    // A 2-sample synthetic dataset so each experiment takes seconds; otherwise exactly what `init` writes.
    const root = makeTempDir('ralph-e2e-');
    const init = await runCli(['init', root, '--samples', '2', '--workers', '1']);
    expect(init.exitCode, init.stderr).toBe(0);
    const initialEntries = readQueue(root).entries.length;

    const up = execa(process.execPath, [cliPath, '--workspace', root, 'up', '--headless'], { reject: false, stdin: 'ignore', env: { FORCE_COLOR: '0', CI: 'false' }, timeout: 280_000 });
    let output = '';
    up.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    up.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await until(() => completedCount(root) >= 2, `2 completed experiments; output so far:\n${output}`, 240_000);
    } finally {
      await createStop(root, 'e2e test done');
    }
    const ended = await up;
    expect(ended.exitCode, output).toBe(0);
    expect(output).toMatch(/W0/);
    expect(output).toMatch(/W1/);

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
    const runs = fs.readdirSync(mlruns).filter((name) => fs.statSync(path.join(mlruns, name)).isDirectory() && name !== '.trash').flatMap((experiment) =>
      fs.readdirSync(path.join(mlruns, experiment)).filter((name) => fs.statSync(path.join(mlruns, experiment, name)).isDirectory()),
    );
    expect(runs.length).toBeGreaterThanOrEqual(completed.length);
  }, 300_000);
});
