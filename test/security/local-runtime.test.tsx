import fs from 'node:fs';
import path from 'node:path';
import React from 'react';
import { describe, expect, it } from 'vitest';
import { AgentTabs } from '../../components/AgentTabs.js';
import { Header } from '../../components/Header.js';
import { resolveAgents, loadConfig } from '../../src/config.js';
import { localSpawnSpec, runsUnconfined } from '../../src/supervisor/local-launch.js';
import { childEnvironment } from '../../src/child-env.js';
import { renderFixed } from '../app/render-fixed.js';
import { makeTempDir, runCli } from '../helpers/cli.js';

const HOST_ENV = {
  PATH: '/usr/bin:/bin',
  HOME: '/home/someone',
  TERM: 'xterm',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  RALPH_WORKSPACE: '/ws',
  ANTHROPIC_API_KEY: 'sk-ant-FAKE-1234567890',
  AWS_SECRET_ACCESS_KEY: 'aws-secret-should-stay',
  GITHUB_TOKEN: 'ghp-should-stay',
  SSH_AUTH_SOCK: '/tmp/ssh-agent.sock',
};

describe('the local runtime is an explicit choice', () => {
  it('given no Docker engine answers, when init --agents claude runs without --runtime, then it stops, says so, asks for --runtime local, and writes no config', async () => {
    const root = makeTempDir();
    const result = await runCli(['init', root, '--agents', 'claude', '--workers', '1'], {
      env: { DOCKER_HOST: `unix://${path.join(root, 'no-engine.sock')}` },
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(
      /--dangerously-skip-permissions, which belongs in a container, but no Docker engine at .*no-engine\.sock.*--runtime local/,
    );
    expect(fs.existsSync(path.join(root, 'ralph.config.json'))).toBe(false);
  });

  it('given --runtime local, when init --agents claude runs, then it does as asked and warns that the agents run unconfined', async () => {
    const root = makeTempDir();
    const result = await runCli(['init', root, '--agents', 'claude', '--workers', '1', '--runtime', 'local'], {
      env: { DOCKER_HOST: `unix://${path.join(root, 'no-engine.sock')}` },
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/Warning: W0, W1 run with --dangerously-skip-permissions directly on this machine/);
    const agents = resolveAgents(loadConfig(root), root);
    expect(agents.every((agent) => runsUnconfined(agent))).toBe(true);
  });

  it('given the default engine answers, when init --agents claude runs without --runtime, then the workspace uses Docker', async () => {
    const root = makeTempDir();
    const result = await runCli(['init', root, '--agents', 'claude', '--workers', '1']);
    if (result.exitCode !== 0 && /no Docker engine/.test(result.stderr)) return; // no engine on this machine: covered above
    expect(result.exitCode).toBe(0);
    expect(loadConfig(root).runtime).toBe('docker');
    expect(result.stdout).not.toMatch(/Warning/);
  });

  it('given a host environment with credentials, when a local agent or an experiment child is spawned, then only the allow-list and passEnv names pass', () => {
    const env = childEnvironment(['ANTHROPIC_API_KEY'], HOST_ENV);
    expect(Object.keys(env).sort()).toEqual([
      'ANTHROPIC_API_KEY',
      'HOME',
      'LANG',
      'LC_ALL',
      'PATH',
      'RALPH_WORKSPACE',
      'TERM',
    ]);
    const root = makeTempDir();
    const [agent] = resolveAgents({ ...loadConfigFor(root), passEnv: ['ANTHROPIC_API_KEY'] }, root);
    const spec = localSpawnSpec(agent, root, path.join(root, '.ralph', 'bin'), HOST_ENV);
    expect(spec.env.AWS_SECRET_ACCESS_KEY).toBeUndefined();
    expect(spec.env.GITHUB_TOKEN).toBeUndefined();
    expect(spec.env.SSH_AUTH_SOCK).toBeUndefined();
    expect(spec.env.ANTHROPIC_API_KEY).toBe(HOST_ENV.ANTHROPIC_API_KEY);
    expect(spec.env.RALPH_AGENT_ID).toBe(agent.id);
  });

  it('given a local agent in bypass mode, when the screen draws, then its tab and the header mark it unconfined', () => {
    const tabs = renderFixed(
      <AgentTabs
        tabs={[
          { id: 'W1', state: 'working', restarts: 0, unconfined: true },
          { id: 'W2', state: 'working', restarts: 0 },
        ]}
        focusedId="W1"
        width={100}
      />,
      { cols: 100, rows: 2 },
    );
    expect(tabs.lastFrame()).toMatch(/⚠ host 1:W1.*● 2:W2/);
    const header = renderFixed(
      <Header
        name="ws"
        best={null}
        target={1.25}
        queue={{ available: 1, claimed: 0, done: 0 }}
        stop={{ present: false }}
        draining={[]}
        stopping={false}
        unconfined={['W1']}
        clock="12:00:00"
        width={140}
      />,
      { cols: 140, rows: 2 },
    );
    expect(header.lastFrame()).toContain('⚠ W1 unconfined on this host');
  });
});

function loadConfigFor(root: string) {
  fs.writeFileSync(
    path.join(root, 'ralph.config.json'),
    JSON.stringify({ runtime: 'local', agents: [{ id: 'W1', role: 'worker', kind: 'claude' }] }),
  );
  return loadConfig(root);
}

describe('experiment children started from the screen', () => {
  it("given credentials in the supervisor's environment, when the runner starts a command, then the child sees only the allow-list and passEnv", async () => {
    const { ExperimentRunner } = await import('../../src/experiments/experiment-runner.js');
    process.env.AWS_SECRET_ACCESS_KEY = 'aws-secret-should-stay';
    process.env.FAKE_PASSED_KEY = 'passed-1234';
    const runner = new ExperimentRunner({ workspace: makeTempDir(), passEnv: ['FAKE_PASSED_KEY'] });
    try {
      const id = runner.start({
        name: 'env',
        command: [process.execPath, '-e', 'console.log("ENV " + Object.keys(process.env).sort().join(","))'],
      });
      const deadline = Date.now() + 20_000;
      let view = runner.getSnapshot().find((run) => run.id === id);
      while ((!view || !['finished', 'failed'].includes(view.state)) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        view = runner.getSnapshot().find((run) => run.id === id);
      }
      const line = view?.lastLines.find((text) => text.startsWith('ENV ')) ?? '';
      expect(line).toContain('FAKE_PASSED_KEY');
      expect(line).toContain('PATH');
      expect(line).not.toContain('AWS_SECRET_ACCESS_KEY');
    } finally {
      delete process.env.AWS_SECRET_ACCESS_KEY;
      delete process.env.FAKE_PASSED_KEY;
      await runner.dispose();
    }
  });
});

describe("secrets in the screen's own files", () => {
  it('given a crash whose message holds the key and a link planted at crash.log, when the crash is logged, then the link is replaced, the key masked and the file private', async () => {
    const { writeCrashLog, crashLine } = await import('../../src/app/crash-log.js');
    const root = makeTempDir();
    const hostFile = path.join(makeTempDir(), 'profile');
    fs.writeFileSync(hostFile, 'host\n');
    fs.mkdirSync(path.join(root, '.ralph'));
    const file = path.join(root, '.ralph', 'crash.log');
    fs.symlinkSync(hostFile, file);
    const error = new Error(`request failed with key ${HOST_ENV.ANTHROPIC_API_KEY}\x1b]0;pwned\x07`);
    writeCrashLog(file, error, [HOST_ENV.ANTHROPIC_API_KEY]);
    expect(fs.readFileSync(hostFile, 'utf8')).toBe('host\n');
    expect(fs.lstatSync(file).isFile()).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toContain('request failed with key ***');
    expect(crashLine(error, file, [HOST_ENV.ANTHROPIC_API_KEY])).toBe(
      `ralph-tui: crashed (request failed with key ***); details in ${file}\n`,
    );
  });

  it('given an experiment that prints the key in two writes, when the runner logs it, then the run log holds *** only', async () => {
    const { ExperimentRunner } = await import('../../src/experiments/experiment-runner.js');
    const key = HOST_ENV.ANTHROPIC_API_KEY;
    const runner = new ExperimentRunner({ workspace: makeTempDir(), secrets: [key] });
    try {
      const script =
        'const k = process.env.LEAK; process.stdout.write(k.slice(0, 8)); setTimeout(() => console.log(k.slice(8) + " end"), 100);';
      const id = runner.start({ name: 'leak', command: [process.execPath, '-e', script], env: { LEAK: key } });
      const deadline = Date.now() + 20_000;
      let view = runner.getSnapshot().find((run) => run.id === id);
      while ((!view || !['finished', 'failed'].includes(view.state)) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        view = runner.getSnapshot().find((run) => run.id === id);
      }
      const log = fs.readFileSync(view!.logFile, 'utf8');
      expect(log).toContain('*** end');
      expect(log).not.toContain(key.slice(8));
    } finally {
      await runner.dispose();
    }
  });
});
