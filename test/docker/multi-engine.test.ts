import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import pty from 'node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentContainers, ralphInstallDir } from '../../docker/index.js';
import { parseConfig, resolveAgent, type ResolvedAgent } from '../../src/config.js';
import { makeTempDir } from '../helpers/cli.js';
import { dockerAvailable, dockerTestsEnabled, ensureTestImage } from './test-image.js';

const SECOND_SOCKET = '/tmp/ralph-d2.sock';
const enabled = await dockerTestsEnabled('multi-engine placement tests');

/** A second engine on its own socket and data root (the brief's command line), started only if none answers there. */
async function startSecondEngine(): Promise<ChildProcess | undefined> {
  if (await dockerAvailable(SECOND_SOCKET)) return undefined;
  const log = fs.openSync('/tmp/docker-d2-test.log', 'a');
  const child = spawn(
    'dockerd',
    ['-H', `unix://${SECOND_SOCKET}`, '--data-root', '/tmp/ralph-d2', '--exec-root', '/tmp/ralph-d2-exec', '--pidfile', '/tmp/ralph-d2.pid', '--storage-driver=vfs', '--iptables=false', '--bridge=none'],
    { stdio: ['ignore', log, log] },
  );
  for (let i = 0; i < 120; i++) {
    if (await dockerAvailable(SECOND_SOCKET)) return child;
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill('SIGTERM');
  throw new Error(`the second dockerd did not answer on ${SECOND_SOCKET}; see /tmp/docker-d2-test.log`);
}

async function stopEngine(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

async function namesOn(socket: string): Promise<string[]> {
  const result = await execa('docker', ['-H', `unix://${socket}`, 'ps', '--format', '{{.Names}}']);
  return result.stdout.split('\n').filter(Boolean);
}

describe.runIf(enabled)('agents placed on two Docker engines', () => {
  let second: ChildProcess | undefined;
  let workspace: string;
  let agents: ResolvedAgent[];

  beforeAll(async () => {
    second = await startSecondEngine();
    const [imageOne, imageTwo] = await Promise.all([ensureTestImage(), ensureTestImage(SECOND_SOCKET)]);
    expect(imageTwo).toBe(imageOne);
    workspace = makeTempDir('docker-multi-');
    fs.chownSync(workspace, 1000, 1000);
    const config = parseConfig({
      name: `multi${path.basename(workspace).slice(-6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`,
      runtime: 'docker',
      image: imageOne,
      agents: [
        { id: 'W1', role: 'worker', kind: 'custom', command: 'fake-agent' },
        { id: 'W2', role: 'worker', kind: 'custom', command: 'fake-agent', engine: SECOND_SOCKET },
      ],
    });
    agents = config.agents.map((agent) => resolveAgent(config, agent, workspace));
  });

  afterAll(async () => {
    try {
      if (agents) await new AgentContainers({ workspace, ralphInstallDir: ralphInstallDir() }).down([SECOND_SOCKET], 1, true);
    } finally {
      await stopEngine(second);
    }
  });

  it('runs each agent on its own engine and reaches both through the pty path', async () => {
    const containers = new AgentContainers({ workspace, ralphInstallDir: ralphInstallDir() });
    const [one, two] = await Promise.all(agents.map((agent) => containers.ensure(agent)));
    expect(one).toMatchObject({ status: 'running', engine: '/var/run/docker.sock' });
    expect(two).toMatchObject({ status: 'running', engine: SECOND_SOCKET });
    expect(await namesOn('/var/run/docker.sock')).toContain(agents[0]!.containerName);
    expect(await namesOn('/var/run/docker.sock')).not.toContain(agents[1]!.containerName);
    expect(await namesOn(SECOND_SOCKET)).toContain(agents[1]!.containerName);
    expect(await namesOn(SECOND_SOCKET)).not.toContain(agents[0]!.containerName);

    // The pty's docker CLI talks to the second engine through the env execCommand returns.
    const exec = containers.execCommand(agents[1]!, 'echo "on $(hostname) as $RALPH_AGENT_ID"');
    expect(exec.env.DOCKER_HOST).toBe(`unix://${SECOND_SOCKET}`);
    const term = pty.spawn(exec.file, exec.args, { cols: 80, rows: 10, env: exec.env });
    let output = '';
    term.onData((data) => {
      output += data;
    });
    const code = await new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
    expect(code).toBe(0);
    expect(output).toMatch(/on [0-9a-f]{12} as W2/);
    expect(two.id!.startsWith(output.match(/on ([0-9a-f]{12})/)![1]!)).toBe(true);
  });

  it('lists and reattaches across engines from a fresh instance, and down removes both', async () => {
    const fresh = new AgentContainers({ workspace, ralphInstallDir: ralphInstallDir() });
    const listed = await fresh.list([SECOND_SOCKET]);
    expect(listed.map((state) => `${state.agent}@${state.engine}`).sort()).toEqual(['W1@/var/run/docker.sock', `W2@${SECOND_SOCKET}`]);
    expect((await fresh.inspect(agents[1]!)).status).toBe('running');
    const removed = await fresh.down([SECOND_SOCKET], 1);
    expect(removed.map((state) => state.agent).sort()).toEqual(['W1', 'W2']);
    expect(await namesOn(SECOND_SOCKET)).not.toContain(agents[1]!.containerName);
    for (const agent of agents) expect((await fresh.inspect(agent)).status).toBe('gone');
  });
});
