import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputController } from '../../src/app/input-controller.js';
import { resolveExperiment } from '../../src/experiments/experiment-definition.js';
import { experimentLaunch } from '../../src/experiments/launch-plan.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { fakeAgents, fakeAppStore } from '../helpers/fake-screen-services.js';

/** An agent-written experiment whose command would leave a marker file if it ever ran. */
function hostileExperiment(root: string, name: string, marker: string): void {
  const dir = path.join(root, 'experiments', name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'experiment.json'), JSON.stringify({ command: `touch ${marker}` }));
}

function screen(root: string, sandboxed = false) {
  const started: Array<{ name: string; command?: string }> = [];
  const store = fakeAppStore({
    supervisor: fakeAgents(['W1'], { cols: 40, rows: 10 }).supervisor,
    runner: {
      startBuiltin: (name, opts) => {
        started.push({ name, command: opts?.command });
        return 'run-1';
      },
    },
    actions: {
      listExperiments: () => ['evil', 'baseline'],
      planExperiment: (name) => experimentLaunch(root, name, { sandboxed }),
    },
  });
  return { store, controller: new InputController(store), started };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('a command from the workspace never runs on the host without a person reading it', () => {
  it('given an agent-written experiment.json with a command, when picked on the screen, then the full command is shown and Enter does not run it; y does, with that exact command', async () => {
    const root = makeTempDir();
    hostileExperiment(root, 'evil', '/tmp/never');
    const { store, controller, started } = screen(root);
    controller.handleInput('e');
    await tick();
    controller.handleInput('\r');
    expect(store.getUi().overlay).toMatchObject({
      kind: 'run-command',
      name: 'evil',
      command: 'touch /tmp/never',
      source: path.join('experiments', 'evil', 'experiment.json'),
    });
    controller.handleInput('\r');
    expect(started).toEqual([]);
    expect(store.getUi().overlay?.kind).toBe('run-command');
    controller.handleInput('y');
    expect(started).toEqual([{ name: 'evil', command: 'touch /tmp/never' }]);
    store.dispose();
  });

  it('given n or Esc at the confirmation, when pressed, then nothing runs', async () => {
    const root = makeTempDir();
    hostileExperiment(root, 'evil', '/tmp/never');
    const { store, controller, started } = screen(root);
    for (const key of ['n', '\x1b']) {
      controller.handleInput('e');
      await tick();
      controller.handleInput('\r');
      controller.handleInput(key);
      expect(store.getUi().overlay).toBeNull();
    }
    expect(started).toEqual([]);
    store.dispose();
  });

  it('given a command with escape sequences, when planned, then it is refused, not offered', () => {
    const root = makeTempDir();
    const dir = path.join(root, 'experiments', 'sneaky');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'experiment.json'), JSON.stringify({ command: 'echo ok\x1b[8m; rm -rf ~' }));
    expect(experimentLaunch(root, 'sneaky')).toMatchObject({
      kind: 'refuse',
      reason: expect.stringMatching(/control characters/),
    });
  });

  it('given experiments/baseline/experiment.json with a command, when baseline is resolved or planned, then the built-in wins and no command is involved', () => {
    const root = makeTempDir();
    hostileExperiment(root, 'baseline', '/tmp/never');
    const resolved = resolveExperiment(root, 'baseline');
    expect(resolved.source).toBe('builtin');
    expect(resolved.command).toBeUndefined();
    expect(experimentLaunch(root, 'baseline')).toEqual({ kind: 'run', name: 'baseline' });
  });

  it('given a Docker workspace (its runner has a sandbox), when a command from the workspace is planned, then it goes to the sandbox container without a confirmation, and a built-in still just runs', async () => {
    const root = makeTempDir();
    hostileExperiment(root, 'evil', '/tmp/never');
    expect(experimentLaunch(root, 'evil', { sandboxed: true })).toEqual({ kind: 'container', name: 'evil' });
    // Picked on the screen, it starts at once and the footer says where it runs.
    const { store, controller, started } = screen(root, true);
    controller.handleInput('e');
    await tick();
    controller.handleInput('\r');
    expect(started).toEqual([{ name: 'evil', command: undefined }]);
    expect(store.getUi().notice).toMatch(/started evil on \d+ workers in a sandbox container/);
    store.dispose();
    expect(experimentLaunch(root, 'evil')).toMatchObject({ kind: 'confirm', command: 'touch /tmp/never' });
    expect(experimentLaunch(root, 'baseline', { sandboxed: true })).toEqual({ kind: 'run', name: 'baseline' });
  });

  it('given the command changed after it was confirmed, when the run starts, then it refuses and the new command does not run', async () => {
    const root = makeTempDir();
    const marker = path.join(root, 'ran');
    hostileExperiment(root, 'evil', marker);
    const refused = await runCli(['--workspace', root, 'run', 'evil', '--expect-command', 'echo harmless']);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toMatch(/command of experiment evil changed since it was confirmed/);
    const none = await runCli(['--workspace', root, 'run', 'evil', '--expect-command', '']);
    expect(none.exitCode).not.toBe(0);
    expect(fs.existsSync(marker)).toBe(false);
    const confirmed = await runCli(['--workspace', root, 'run', 'evil', '--expect-command', `touch ${marker}`]);
    expect(confirmed.exitCode).toBe(0);
    expect(fs.existsSync(marker)).toBe(true);
  });
});

describe('an experiment.json cannot make a run read host files', () => {
  it('given a dataset outside the workspace or a link to one, when the experiment runs, then it stops before reading it', async () => {
    const root = makeTempDir();
    const hostFile = path.join(makeTempDir(), 'id_rsa');
    fs.writeFileSync(hostFile, 'PRIVATE KEY\n');
    for (const [name, dataset] of [
      ['outside', hostFile],
      ['dotdot', `../${path.basename(path.dirname(hostFile))}/id_rsa`],
      ['linked', 'data/linked.json'],
    ] as const) {
      fs.mkdirSync(path.join(root, 'experiments', name), { recursive: true });
      fs.writeFileSync(path.join(root, 'experiments', name, 'experiment.json'), JSON.stringify({ dataset }));
    }
    fs.mkdirSync(path.join(root, 'data'));
    fs.symlinkSync(hostFile, path.join(root, 'data', 'linked.json'));
    for (const name of ['outside', 'dotdot', 'linked']) {
      const result = await runCli(['--workspace', root, 'run', name]);
      expect(result.exitCode, name).toBe(2);
      expect(result.stderr, name).toMatch(
        name === 'linked' ? /is a symbolic link, not a regular file/ : /is outside the workspace/,
      );
      expect(result.stdout + result.stderr).not.toContain('PRIVATE KEY');
    }
  });
});
