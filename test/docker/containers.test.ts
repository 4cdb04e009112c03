import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import pty from 'node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentContainers, ralphInstallDir } from '../../docker/index.js';
import { parseConfig, resolveAgent, type ResolvedAgent } from '../../src/config.js';
import { UserError } from '../../core/errors.js';
import { makeTempDir } from '../helpers/cli.js';
import { dockerTestsEnabled, ensureTestImage } from './test-image.js';

const enabled = await dockerTestsEnabled('Docker container lifecycle tests');

/** Runs a shell line in the container as its configured (non-root) user. */
async function inContainer(name: string, script: string): Promise<string> {
  const result = await execa('docker', ['exec', name, 'sh', '-c', script], { reject: false });
  return `${result.stdout}${result.stderr}`.trim();
}

function agentIn(workspace: string, image: string, extra: Record<string, unknown> = {}): ResolvedAgent {
  const config = parseConfig({
    name: `t${path
      .basename(workspace)
      .replace(/[^a-zA-Z0-9]/g, '')
      .toLowerCase()}`,
    runtime: 'docker',
    image,
    agents: [{ id: 'W1', role: 'worker', kind: 'custom', command: 'fake-agent', ...extra }],
  });
  return resolveAgent(config, config.agents[0]!, workspace);
}

/** A workspace owned by uid 1000, like a normal user's folder (tests run as root in CI). */
function userWorkspace(): string {
  const dir = makeTempDir('docker-ws-');
  fs.chownSync(dir, 1000, 1000);
  return dir;
}

describe.runIf(enabled)('agent containers on the real engine', () => {
  let image: string;
  let workspace: string;
  let agent: ResolvedAgent;
  const created: ResolvedAgent[] = [];

  beforeAll(async () => {
    image = await ensureTestImage();
    workspace = userWorkspace();
    agent = agentIn(workspace, image, {
      cpuset: '1',
      memory: '64m',
      pidsLimit: 64,
      env: { RALPH_TEST_FLAG: 'config-value' },
      passEnv: ['RALPH_TEST_SECRET'],
    });
    created.push(agent);
  });

  afterAll(async () => {
    for (const one of created) await execa('docker', ['rm', '-f', one.containerName], { reject: false });
    await new AgentContainers({ workspace, ralphInstallDir: ralphInstallDir() }).down([], 1, true);
  });

  it('creates a running container honouring cpuset, memory, non-root user, dropped capabilities and the mounts', async () => {
    const containers = new AgentContainers({ workspace, ralphInstallDir: ralphInstallDir() });
    const state = await containers.ensure(agent);
    expect(state).toMatchObject({ name: agent.containerName, status: 'running', cpuset: '1', agent: 'W1' });
    // This image has no node for the egress proxy: the tab says so, and the agent has no network at all (never an open one).
    expect(state.warnings).toEqual([
      expect.stringMatching(/^egress proxy .*-W1-egress (could not start|did not start).*: the agent has no network$/),
    ]);
    expect(await inContainer(agent.containerName, 'ls /sys/class/net')).toBe('lo');

    const status = await inContainer(
      agent.containerName,
      'grep -E "^(Cpus_allowed_list|CapEff|CapPrm|NoNewPrivs)" /proc/self/status',
    );
    expect(status).toMatch(/Cpus_allowed_list:\s+1$/m);
    expect(status).toMatch(/CapEff:\s+0000000000000000$/m);
    expect(status).toMatch(/CapPrm:\s+0000000000000000$/m);
    expect(status).toMatch(/NoNewPrivs:\s+1$/m);
    expect(await inContainer(agent.containerName, 'id -u')).toBe('1000');
    const limit = await inContainer(
      agent.containerName,
      'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max',
    );
    expect(Number(limit)).toBe(64 * 1024 * 1024);

    // The workspace is the host folder, read-write, and files the agent writes belong to the workspace owner.
    expect(await inContainer(agent.containerName, 'echo from-agent > /workspace/note.txt && pwd')).toBe('/workspace');
    expect(fs.readFileSync(path.join(workspace, 'note.txt'), 'utf8')).toBe('from-agent\n');
    expect(fs.statSync(path.join(workspace, 'note.txt')).uid).toBe(1000);
    // The credentials volume is the agent's own, writable ~/.claude.
    expect(await inContainer(agent.containerName, 'touch ~/.claude/token && echo ok')).toBe('ok');
    // ralph-tui's install is there read-only, with the wrapper on PATH; the Docker socket is not.
    expect(await inContainer(agent.containerName, 'command -v ralph-tui')).toBe('/opt/ralph-tui/docker/bin/ralph-tui');
    expect(await inContainer(agent.containerName, 'touch /opt/ralph-tui/x 2>&1 || echo refused')).toMatch(/refused/);
    expect(
      await inContainer(agent.containerName, 'ls /var/run/docker.sock /run/docker.sock 2>&1 | grep -c "No such file"'),
    ).toBe('2');
    // Config env is set; pass-through names are not baked into the container.
    expect(await inContainer(agent.containerName, 'echo "$RALPH_TEST_FLAG:$RALPH_WORKSPACE:$RALPH_AGENT_ID"')).toBe(
      'config-value:/workspace:W1',
    );
    const inspected = JSON.parse((await execa('docker', ['inspect', agent.containerName])).stdout)[0];
    expect(inspected.Config.Labels).toMatchObject({ 'ralph.workspace': workspace, 'ralph.agent': 'W1' });
    expect(inspected.HostConfig).toMatchObject({
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true'],
      PidsLimit: 64,
    });
  });

  it('runs the agent in a pty through docker exec -it: typed lines echo back, secrets reach it only at exec time', async () => {
    const containers = new AgentContainers({ workspace, ralphInstallDir: ralphInstallDir() });
    await containers.ensure(agent);
    process.env.RALPH_TEST_SECRET = 'sk-test-do-not-log-123';
    const exec = containers.execCommand(agent, 'echo "secret=$RALPH_TEST_SECRET"; exec fake-agent');
    delete process.env.RALPH_TEST_SECRET;
    expect(exec.args.join(' ')).not.toContain('sk-test-do-not-log-123');
    expect(exec.args).toEqual(expect.arrayContaining(['exec', '-it', '-e', 'RALPH_TEST_SECRET', agent.containerName]));

    const term = pty.spawn(exec.file, exec.args, { name: 'xterm-256color', cols: 100, rows: 30, env: exec.env });
    let output = '';
    term.onData((data) => {
      output += data;
    });
    const exited = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
    const waitFor = async (text: string) => {
      for (let i = 0; i < 200 && !output.includes(text); i++) await new Promise((r) => setTimeout(r, 50));
      expect(output).toContain(text);
    };
    await waitFor('> ');
    expect(output).toContain('secret=sk-test-do-not-log-123');
    expect(output).toContain('Fake Claude Code');
    term.write('hello from the pane\r');
    await waitFor('received: hello from the pane');
    term.write('exit 7\r');
    expect(await exited).toBe(7);

    const inspected = JSON.parse((await execa('docker', ['inspect', agent.containerName])).stdout)[0];
    expect(JSON.stringify(inspected.Config.Env)).not.toContain('sk-test-do-not-log-123');
  });

  it('reports live CPU and memory use like docker stats', async () => {
    const containers = new AgentContainers({ workspace, ralphInstallDir: ralphInstallDir() });
    await containers.ensure(agent);
    const stats = await containers.stats(agent);
    expect(stats).not.toBeNull();
    expect(stats!.memoryLimitBytes).toBe(64 * 1024 * 1024);
    expect(stats!.memoryBytes).toBeGreaterThan(0);
    expect(stats!.cpuPercent).toBeGreaterThanOrEqual(0);

    // A busy loop shows up in the next reading (computed against the previous one).
    await execa('docker', ['exec', '-d', agent.containerName, 'timeout', '5', 'sh', '-c', 'while :; do :; done']);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const busy = await containers.stats(agent);
    expect(busy!.cpuPercent).toBeGreaterThan(1);
    expect(busy!.cpuPercent).toBeLessThanOrEqual(100 * 1.05); // pinned to one CPU
  });

  it('reports an agent process killed for memory (the container itself keeps running)', async () => {
    const containers = new AgentContainers({ workspace, ralphInstallDir: ralphInstallDir() });
    await containers.ensure(agent);
    expect((await containers.inspect(agent)).oomKilled).toBeUndefined();
    // Grow a shell variable past the 64 MiB limit, as a runaway experiment would.
    const hog = await execa(
      'docker',
      ['exec', agent.containerName, 'sh', '-c', 'x=$(head -c 200000000 /dev/zero | tr "\\0" a); echo ${#x}'],
      { reject: false },
    );
    expect(hog.exitCode).toBe(137);
    expect(await containers.inspect(agent)).toMatchObject({ status: 'running', oomKilled: true });
  });

  it('sees a container killed from outside as exited with its code, and a new instance reattaches to the same container', async () => {
    const first = new AgentContainers({ workspace, ralphInstallDir: ralphInstallDir() });
    const running = await first.ensure(agent);
    await execa('docker', ['kill', agent.containerName]);
    expect(await first.inspect(agent)).toMatchObject({ status: 'exited', exitCode: 137, id: running.id });

    // Supervisor restarted: a fresh instance finds the labelled container and starts it again, same id.
    const second = new AgentContainers({ workspace, ralphInstallDir: ralphInstallDir() });
    const again = await second.ensure(agent);
    expect(again).toMatchObject({ status: 'running', id: running.id });
    const third = new AgentContainers({ workspace, ralphInstallDir: ralphInstallDir() });
    expect((await third.ensure(agent)).id).toBe(running.id);
    expect((await third.list()).map((state) => state.id)).toEqual([running.id]);
  });

  it('reattaches by label when containerName changed in the config, renaming the container', async () => {
    const containers = new AgentContainers({ workspace, ralphInstallDir: ralphInstallDir() });
    const before = await containers.ensure(agent);
    const renamed = { ...agent, containerName: `${agent.containerName}-renamed` };
    const after = await new AgentContainers({ workspace, ralphInstallDir: ralphInstallDir() }).ensure(renamed);
    expect(after).toMatchObject({ id: before.id, name: renamed.containerName, status: 'running' });
    expect(await containers.ensure(agent)).toMatchObject({ id: before.id, name: agent.containerName });
  });

  it('follows a cpuset edit on reattach and stops gracefully', async () => {
    const containers = new AgentContainers({ workspace, ralphInstallDir: ralphInstallDir() });
    const moved = { ...agent, cpuset: '0' };
    expect(await containers.ensure(moved)).toMatchObject({ status: 'running', cpuset: '0' });
    expect(await inContainer(agent.containerName, 'grep Cpus_allowed_list /proc/self/status')).toMatch(/:\s+0$/);
    await containers.stop(moved, 5);
    // The keep-alive traps SIGTERM, so a graceful stop exits 0 rather than being killed (137).
    expect(await containers.inspect(moved)).toMatchObject({ status: 'exited', exitCode: 0 });
  });

  it('shows a recorded container removed out of band as gone, then recreates it', async () => {
    const containers = new AgentContainers({ workspace, ralphInstallDir: ralphInstallDir() });
    const before = await containers.ensure(agent);
    await execa('docker', ['rm', '-f', agent.containerName]);
    const fresh = new AgentContainers({ workspace, ralphInstallDir: ralphInstallDir() });
    expect(await fresh.inspect(agent)).toMatchObject({ status: 'gone', id: before.id });
    expect(await fresh.stats(agent)).toBeNull();
    const after = await fresh.ensure(agent);
    expect(after.status).toBe('running');
    expect(after.id).not.toBe(before.id);
    await fresh.remove(agent);
    expect((await fresh.inspect(agent)).status).toBe('gone');
    expect(JSON.parse(fs.readFileSync(path.join(workspace, '.ralph', 'containers.json'), 'utf8')).containers).toEqual(
      {},
    );
  });

  it('refuses with one clear sentence: missing image, missing CPUs, GPUs without a GPU runtime, a foreign container under the name', async () => {
    const containers = new AgentContainers({ workspace, ralphInstallDir: ralphInstallDir() });
    const missing = {
      ...agent,
      id: 'W2',
      containerName: `${agent.containerName}-noimage`,
      image: 'ralph-no-such-image:1',
    };
    await expect(containers.ensure(missing)).rejects.toThrow(
      /image ralph-no-such-image:1 \(agent W2\) is not on the Docker engine at .* — build it with `ralph-tui image build`/,
    );

    const tooMany = { ...agent, id: 'W3', containerName: `${agent.containerName}-cpus`, cpuset: '0-63' };
    await expect(containers.ensure(tooMany)).rejects.toThrow(
      /agent W3: cpuset "0-63" names CPU \d+-63, but the Docker engine at .* has CPUs 0-\d+/,
    );

    const gpu = { ...agent, id: 'W4', containerName: `${agent.containerName}-gpu`, gpus: 1 as const };
    created.push(gpu);
    const gpuError = await containers.ensure(gpu).catch((error: unknown) => error);
    expect(gpuError).toBeInstanceOf(UserError);
    expect((gpuError as Error).message).toMatch(
      /agent W4 asks for GPUs, but the Docker engine at .* has no GPU runtime/,
    );
    expect((await containers.inspect(gpu)).status).toBe('gone');

    const foreign = { ...agent, id: 'W5', containerName: `${agent.containerName}-foreign` };
    created.push(foreign);
    await execa('docker', ['create', '--name', foreign.containerName, '--network', 'none', image, 'true']);
    await expect(containers.ensure(foreign)).rejects.toThrow(
      /a container named .*-foreign already exists \(not a ralph-tui container\)/,
    );
  });

  it('does not reattach (nor exec secrets into) a container whose mounts or security options differ from the config', async () => {
    const containers = new AgentContainers({ workspace, ralphInstallDir: ralphInstallDir() });
    // Made the way ralph-tui made containers before: the whole workspace writable, a writable root, no init.
    const old = { ...agent, id: 'W8', containerName: `${agent.containerName}-old` };
    created.push(old);
    await execa('docker', [
      'create',
      '--name',
      old.containerName,
      '--label',
      `ralph.workspace=${workspace}`,
      '--label',
      'ralph.agent=W8',
      '--user',
      '1000:1000',
      '--network',
      'none',
      '--mount',
      `type=bind,source=${workspace},target=/workspace`,
      image,
      'sleep',
      '600',
    ]);
    const error = (await containers.ensure(old).catch((caught: unknown) => caught)) as Error;
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(
      /^agent W8: container .*-old differs from what ralph\.config\.json asks for \(.*missing \/opt\/ralph-tui=.*a writable root filesystem; no init process.*\) — run `ralph-tui down` first/,
    );
    expect((await containers.inspect(old)).status).toBe('created');

    // A config edit that changes what the agent can reach (its network) needs `down` too; limits do not.
    const fresh = { ...agent, id: 'W9', containerName: `${agent.containerName}-edit` };
    created.push(fresh);
    await containers.ensure(fresh);
    await expect(containers.ensure({ ...fresh, network: 'bridge' })).rejects.toThrow(
      /network none instead of bridge\) — run `ralph-tui down` first/,
    );
    expect((await containers.ensure({ ...fresh, pidsLimit: 100 })).status).toBe('running');
  });

  it('lets the agent call ralph-tui inside: the read-only install runs with the image node, the workspace is the default', async () => {
    const nodeImage = await ensureTestImage(undefined, { withNode: true });
    const withNode = { ...agentIn(workspace, nodeImage), id: 'W6', containerName: `${agent.containerName}-node` };
    created.push(withNode);
    fs.writeFileSync(
      path.join(workspace, 'ralph.config.json'),
      JSON.stringify({ name: 'inside', agents: [{ id: 'W1', role: 'worker', cpuset: '1' }] }),
    );
    const containers = new AgentContainers({ workspace, ralphInstallDir: ralphInstallDir() });
    await containers.ensure(withNode);
    const output = await inContainer(
      withNode.containerName,
      'ralph-tui compose --cores 2 --out /workspace/inside.yml && cat /workspace/inside.yml',
    );
    expect(output).toContain('wrote /workspace/inside.yml');
    expect(output).toContain('ralph.workspace: /workspace');
    expect(fs.statSync(path.join(workspace, 'inside.yml')).uid).toBe(1000);
    await containers.remove(withNode);
  });

  // Only root can make a root-owned folder; CI runs as root.
  it.runIf(process.getuid?.() === 0)(
    'refuses a root-owned workspace that the non-root agent user could not write',
    async () => {
      const rootOwned = makeTempDir('docker-root-ws-');
      fs.chmodSync(rootOwned, 0o755);
      const containers = new AgentContainers({ workspace: rootOwned, ralphInstallDir: ralphInstallDir() });
      await expect(containers.ensure(agentIn(rootOwned, image))).rejects.toThrow(
        /is owned by root, but agent containers run as a non-root user \(uid 1000\)/,
      );
    },
  );
});
