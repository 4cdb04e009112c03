import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { readCoordination, readQueue } from '../../orchestration/index.js';
import { loadDataset } from '../../solver/dataset.js';
import { loadConfig } from '../../src/config.js';
import { workspaceNeedsInit } from '../../src/init/init-workspace.js';
import { cliPath, fixturesDir, makeTempDir, repoRoot, runCli } from '../helpers/cli.js';

describe('ralph-tui init', () => {
  it('creates a working default workspace: valid config, a dataset with ground truth, a queue with a baseline, coordination, log header', async () => {
    const root = path.join(makeTempDir('ralph-init-'), 'ws');
    expect(workspaceNeedsInit(root)).toBe(true);
    const result = await runCli(['init', root, '--samples', '3', '--workers', '2']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('Initialised');
    expect(workspaceNeedsInit(root)).toBe(false);

    const config = loadConfig(root);
    expect(config.runtime).toBe('local');
    expect(config.agents.map((agent) => [agent.id, agent.role, agent.kind])).toEqual([
      ['W0', 'orchestrator', 'builtin'],
      ['W1', 'worker', 'builtin'],
      ['W2', 'worker', 'builtin'],
    ]);
    expect(config.agents.slice(1).map((agent) => agent.focus?.area)).toEqual([
      'threshold tuning, evaluation budgets',
      'init strategies, fidelity',
    ]);
    expect(config.experiments.workers).toBe(1);

    const dataset = await loadDataset(path.join(root, config.experiments.dataset));
    expect(dataset.samples).toHaveLength(3);
    for (const sample of dataset.samples) {
      expect(sample.true_sources?.length).toBe(sample.n_sources);
      expect(sample.Y).toBeDefined();
    }

    const queue = readQueue(root);
    const baseline = queue.entries.find((entry) => entry.name === 'baseline');
    expect(baseline).toMatchObject({ status: 'available', priority: 1, config: {} });
    expect(queue.entries.length).toBeGreaterThanOrEqual(4);
    expect(queue.entries.every((entry) => entry.status === 'available')).toBe(true);
    expect(readCoordination(root).format).toBe('v3');
    // Built-in agents take no prompt.
    expect(fs.existsSync(path.join(root, 'orchestration', 'shared', 'prompt_W1.txt'))).toBe(false);
    expect(fs.readFileSync(path.join(root, 'ITERATION_LOG.md'), 'utf8')).toMatch(/^# Iteration Log/);
  });

  it('ends with a start command that works as printed, with and without ralph-tui on PATH', async () => {
    const dir = makeTempDir('ralph-init-');
    const result = await runCli(['init', 'ws', '--samples', '1', '--workers', '1'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const printed = /Start it with: (.*)$/m.exec(result.stdout)![1];
    expect(printed).toBe(
      `node ${cliPath} --workspace ws   (or \`npm link\` once in ${repoRoot} to type \`ralph-tui\`)`,
    );
    // Run as printed (with `status` instead of the screen, which needs a terminal).
    const command = printed.split('   (')[0];
    const run = await execa('sh', ['-c', `${command} status`], { cwd: dir, reject: false });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain('Queue:');
    // After `npm link` (here: a ralph-tui link on PATH) the short form is printed, and works too.
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(cliPath, path.join(bin, 'ralph-tui'));
    const linked = await runCli(['init', 'ws2', '--samples', '1', '--workers', '1'], {
      cwd: dir,
      env: { PATH: `${bin}:${process.env.PATH}` },
    });
    const short = /Start it with: (.*)$/m.exec(linked.stdout)![1];
    expect(short).toBe('ralph-tui --workspace ws2');
    const runShort = await execa('sh', ['-c', `${short} status`], {
      cwd: dir,
      reject: false,
      env: { PATH: `${bin}:${process.env.PATH}` },
    });
    expect(runShort.exitCode, runShort.stderr).toBe(0);
  });

  it('warns when asked for more workers than the machine has spare CPUs', async () => {
    const root = makeTempDir('ralph-init-');
    const cpus = os.availableParallelism();
    const workers = cpus + 3;
    const result = await runCli(['init', root, '--samples', '1', '--workers', String(workers)]);
    expect(result.exitCode).toBe(0);
    const spare = Math.max(1, cpus - 1);
    expect(result.stderr).toBe(
      `ralph-tui: warning: ${workers} workers on this ${cpus}-CPU machine: ${workers - spare} of them get no CPU of their own, and experiments running at once share the CPUs and take longer each (one worker per spare CPU is ${spare}; --workers ${spare})`,
    );
    expect((await runCli(['init', makeTempDir('ralph-init-'), '--samples', '1', '--workers', '1'])).stderr).toBe('');
  });

  it('refuses to overwrite an existing workspace without --force, and --force keeps the history', async () => {
    const root = makeTempDir('ralph-init-');
    expect((await runCli(['init', root, '--samples', '1', '--workers', '1'])).exitCode).toBe(0);
    const configBefore = fs.readFileSync(path.join(root, 'ralph.config.json'), 'utf8');
    const queueBefore = readQueue(root).entries.length;

    const refused = await runCli(['init', root, '--samples', '1', '--workers', '3']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/already a ralph-tui workspace.*--force/);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.readFileSync(path.join(root, 'ralph.config.json'), 'utf8')).toBe(configBefore);

    const forced = await runCli(['--workspace', root, 'init', '--force', '--samples', '1', '--workers', '3']);
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(loadConfig(root).agents).toHaveLength(4);
    expect(readQueue(root).entries.length).toBe(queueBefore);
    expect(readQueue(root).entries.filter((entry) => entry.name === 'baseline')).toHaveLength(1);
  });

  it('adopts a folder from an existing deployment without touching its queue, log or data', async () => {
    const root = makeTempDir('ralph-init-');
    const shared = path.join(root, 'orchestration', 'shared');
    fs.mkdirSync(shared, { recursive: true });
    fs.mkdirSync(path.join(root, 'data'));
    for (const name of ['experiment_queue.json', 'coordination.json'])
      fs.copyFileSync(path.join(fixturesDir, 'original', name), path.join(shared, name));
    fs.copyFileSync(path.join(fixturesDir, 'original', 'ITERATION_LOG.md'), path.join(root, 'ITERATION_LOG.md'));
    fs.writeFileSync(path.join(root, 'data', 'synthetic.json'), 'user data');
    const before = [
      'orchestration/shared/experiment_queue.json',
      'orchestration/shared/coordination.json',
      'ITERATION_LOG.md',
      'data/synthetic.json',
    ].map((file) => fs.readFileSync(path.join(root, file), 'utf8'));

    const result = await runCli(['init', root, '--workers', '1']);
    expect(result.exitCode, result.stderr).toBe(0);
    const after = [
      'orchestration/shared/experiment_queue.json',
      'orchestration/shared/coordination.json',
      'ITERATION_LOG.md',
      'data/synthetic.json',
    ].map((file) => fs.readFileSync(path.join(root, file), 'utf8'));
    expect(after).toEqual(before);
    expect(loadConfig(root).agents).toHaveLength(2);
  });

  it('writes the Claude + Docker configuration with prompts, and mixes Claude and built-in agents', async () => {
    const claude = makeTempDir('ralph-init-');
    expect(
      (await runCli(['init', claude, '--agents', 'claude', '--runtime', 'docker', '--workers', '1', '--samples', '1']))
        .exitCode,
    ).toBe(0);
    const config = loadConfig(claude);
    expect(config.runtime).toBe('docker');
    expect(config.agents.every((agent) => agent.kind === 'claude')).toBe(true);
    for (const id of ['W0', 'W1'])
      expect(fs.readFileSync(path.join(claude, 'orchestration', 'shared', `prompt_${id}.txt`), 'utf8')).toContain(id);

    const mixed = makeTempDir('ralph-init-');
    expect(
      (
        await runCli([
          'init',
          mixed,
          '--agents',
          'claude,builtin',
          '--runtime',
          'local',
          '--workers',
          '2',
          '--samples',
          '1',
        ])
      ).exitCode,
    ).toBe(0);
    expect(loadConfig(mixed).agents.map((agent) => agent.kind)).toEqual(['claude', 'builtin', 'builtin']);
    expect(fs.existsSync(path.join(mixed, 'orchestration', 'shared', 'prompt_W0.txt'))).toBe(true);
    expect(fs.existsSync(path.join(mixed, 'orchestration', 'shared', 'prompt_W1.txt'))).toBe(false);

    const bad = await runCli(['init', makeTempDir('ralph-init-'), '--agents', 'gpt']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('not an agent kind');
  });
});
