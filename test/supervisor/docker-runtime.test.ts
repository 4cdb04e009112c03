import fs from 'node:fs';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Supervisor } from '../../src/supervisor/index.js';
import { dockerTestsEnabled, ensureTestImage } from '../docker/test-image.js';
import { count, dockerAgentWorkspace, EventRecorder, readTranscript, waitUntil } from './workspace.js';

const enabled = await dockerTestsEnabled('supervisor docker-runtime tests');

async function containerId(name: string): Promise<string | null> {
  const result = await execa('docker', ['inspect', '--format', '{{.Id}}', name], { reject: false });
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

/** How many fake-agent processes run in the container (`docker top`). */
async function agentProcesses(name: string): Promise<number> {
  const result = await execa('docker', ['top', name], { reject: false });
  return result.stdout.split('\n').filter((line) => line.includes('fake-agent')).length;
}

describe.runIf(enabled)("agents in Docker containers (real engine, C's busybox test image)", () => {
  let image: string;
  const names: string[] = [];

  beforeAll(async () => {
    image = await ensureTestImage();
  });

  afterAll(async () => {
    for (const name of names) {
      await execa('docker', ['rm', '-f', name], { reject: false });
      await execa('docker', ['volume', 'rm', '-f', `${name}-claude`], { reject: false });
    }
  });

  it('runs the agent through docker exec in its container, delivers the prompt, restarts after the container is killed, reattaches, and down removes it', async () => {
    const name = `sup${Date.now().toString(36)}`;
    const { root, config } = dockerAgentWorkspace({
      name,
      image,
      command: 'fake-agent',
      prompt: { text: 'hello from ralph' },
      memory: '64m',
    });
    // The container runs as uid 1000, like a user's own folder.
    fs.chownSync(root, 1000, 1000);
    const containerName = `ralph-${name}-W1`;
    names.push(containerName);

    const first = new Supervisor({ workspace: root, config });
    const events = new EventRecorder(first);
    await first.start();
    await events.waitFor((event) => event.type === 'prompt-delivered');
    await waitUntil(() => readTranscript(root, 'W1').includes('received: hello from ralph'));
    expect(events.of('container')[0]).toMatchObject({ state: 'running', reason: containerName });
    // The busybox image has no pty holder: said once, since the agent will not outlive this supervisor.
    expect(
      events.of('warning').filter((event) => /has no dtach: W1 will not survive/.test(event.reason ?? '')),
    ).toHaveLength(1);
    expect(first.getSnapshot().agents[0]).toMatchObject({ runtime: 'docker', containerName });
    const id = await containerId(containerName);
    expect(id).not.toBeNull();

    // Live resource use arrives in the snapshot (polled every ~2 s).
    await waitUntil(() => first.getSnapshot().agents[0].stats !== undefined);
    expect(first.getSnapshot().agents[0].stats!.memoryLimitBytes).toBe(64 * 1024 * 1024);

    // Killed from outside: the exec ends, the loop restarts the container and delivers the prompt again.
    await execa('docker', ['kill', containerName]);
    await events.waitFor((event) => event.type === 'restart-scheduled');
    await events.waitFor((event) => event.type === 'prompt-delivered', 2);
    await waitUntil(() => count(readTranscript(root, 'W1'), 'received: hello from ralph') >= 2);
    expect(await containerId(containerName)).toBe(id);

    expect(await agentProcesses(containerName)).toBe(1);

    // The supervisor leaves; the container stays (without an orphaned agent process on a pty nobody reads),
    // and the next supervisor reattaches to the same container.
    await first.shutdown();
    expect(await containerId(containerName)).toBe(id);
    expect(await agentProcesses(containerName)).toBe(0);
    const second = new Supervisor({ workspace: root, config });
    const events2 = new EventRecorder(second);
    await second.start();
    await events2.waitFor((event) => event.type === 'prompt-delivered');
    expect(await containerId(containerName)).toBe(id);

    // Restart on request ends the process in the container too: still exactly one agent.
    await second.restart('W1');
    await events2.waitFor((event) => event.type === 'prompt-delivered', 2);
    expect(await agentProcesses(containerName)).toBe(1);

    await second.shutdown({ down: true });
    expect(await containerId(containerName)).toBeNull();
    // Its egress proxy and the proxy's socket volume go with it.
    expect(await containerId(`${containerName}-egress`)).toBeNull();
    expect((await execa('docker', ['volume', 'ls', '-q'])).stdout).not.toContain(`${containerName}-egress`);
  }, 120_000);
});
