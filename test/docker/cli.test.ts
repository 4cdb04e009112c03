import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { AgentContainers, parseCpuList, ralphInstallDir } from '../../docker/index.js';
import { parseConfig, resolveAgent } from '../../src/config.js';
import { makeTempDir, repoRoot, runCli } from '../helpers/cli.js';
import { dockerTestsEnabled, ensureTestImage } from './test-image.js';

function workspaceWith(config: Record<string, unknown>): string {
  const dir = makeTempDir('docker-cli-');
  fs.writeFileSync(path.join(dir, 'ralph.config.json'), JSON.stringify(config, null, 2));
  return dir;
}

const team = {
  name: 'heat',
  runtime: 'docker',
  agents: [
    { id: 'W0', role: 'orchestrator' },
    { id: 'W1', role: 'worker', memory: '8g' },
    { id: 'W2', role: 'worker' },
    { id: 'W3', role: 'worker', gpus: 1 },
  ],
};

describe('ralph-tui compose', () => {
  it('prints a compose file with one service per agent, each worker on its own planned CPUs', async () => {
    const workspace = workspaceWith(team);
    const result = await runCli(['--workspace', workspace, 'compose', '--cores', '8']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const doc = YAML.parse(result.stdout);
    expect(Object.keys(doc.services)).toEqual([
      'w0',
      'w0-egress',
      'w1',
      'w1-egress',
      'w2',
      'w2-egress',
      'w3',
      'w3-egress',
    ]);
    expect(doc.services.w0.cpuset).toBe('0');
    const workerCpus = ['w1', 'w2', 'w3'].map((id) => parseCpuList(doc.services[id].cpuset));
    expect(workerCpus).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(doc.services.w1).toMatchObject({
      image: 'ralph-agent:latest',
      container_name: 'ralph-heat-W1',
      working_dir: '/workspace',
      mem_limit: 8 * 1024 ** 3,
      cap_drop: ['ALL'],
      security_opt: ['no-new-privileges:true'],
      labels: { 'ralph.workspace': workspace, 'ralph.agent': 'W1' },
    });
    expect(doc.services.w1.volumes).toEqual([
      { type: 'bind', source: workspace, target: '/workspace', read_only: false },
      { type: 'bind', source: repoRoot, target: '/opt/ralph-tui', read_only: true },
      {
        type: 'bind',
        source: path.join(workspace, 'ralph.config.json'),
        target: '/workspace/ralph.config.json',
        read_only: true,
      },
      {
        type: 'bind',
        source: path.join(workspace, '.ralph', 'progress'),
        target: '/workspace/.ralph/progress',
        read_only: false,
      },
      { type: 'bind', source: path.join(workspace, '.ralph', 'agents', 'W1'), target: '/run/ralph', read_only: false },
      { type: 'volume', source: 'ralph-heat-W1-claude', target: '/home/agent/.claude', read_only: false },
      { type: 'volume', source: 'ralph-heat-W1-egress', target: '/run/ralph-egress', read_only: true },
    ]);
    // No data/ in this workspace, so none is mounted; the folders agents write were made for `docker compose up`.
    expect(fs.statSync(path.join(workspace, '.ralph', 'agents', 'W1')).isDirectory()).toBe(true);
    expect(fs.statSync(path.join(workspace, '.ralph', 'progress')).isDirectory()).toBe(true);
    // The same sandbox as the engine path: read-only root, .ralph masked, no network but the egress proxy's.
    expect(doc.services.w1).toMatchObject({ read_only: true, init: true, network_mode: 'none' });
    expect(doc.services.w1.tmpfs).toContainEqual(
      expect.stringMatching(/^\/workspace\/\.ralph:ro,nosuid,nodev,noexec,size=64k,mode=0555,uid=\d+,gid=\d+$/),
    );
    expect(doc.services['w1-egress']).toMatchObject({
      container_name: 'ralph-heat-W1-egress',
      read_only: true,
      cap_drop: ['ALL'],
    });
    expect(doc.volumes['ralph-heat-W1-egress'].driver_opts).toMatchObject({ type: 'tmpfs' });
    // API keys pass by name only; compose reads the value from the host at `up`.
    expect(doc.services.w1.environment).toEqual(expect.arrayContaining(['ANTHROPIC_API_KEY', 'RALPH_AGENT_ID=W1']));
    // `$` is escaped so compose does not interpolate the keep-alive script.
    expect(doc.services.w1.command.join(' ')).toContain('wait $$!');
    expect(doc.services.w3.deploy.resources.reservations.devices).toEqual([
      { driver: 'nvidia', count: 1, capabilities: ['gpu'] },
    ]);
    expect(doc.volumes['ralph-heat-W2-claude']).toEqual({ name: 'ralph-heat-W2-claude' });
  });

  it('plans for more workers with whole cores, and writes the file with --out', async () => {
    const workspace = workspaceWith(team);
    const out = path.join(workspace, 'compose', 'docker-compose.yml');
    const result = await runCli(['--workspace', workspace, 'compose', '--cores', '16', '--workers', '7', '--out', out]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(`wrote ${out}`);
    const doc = YAML.parse(fs.readFileSync(out, 'utf8'));
    expect(Object.keys(doc.services).filter((name) => !name.endsWith('-egress'))).toEqual([
      'w0',
      'w1',
      'w2',
      'w3',
      'w4',
      'w5',
      'w6',
      'w7',
    ]);
    expect(doc.services.w7.container_name).toBe('ralph-heat-W7');
    const all = Object.entries(doc.services as Record<string, { cpuset: string }>)
      .filter(([name]) => name !== 'w0' && !name.endsWith('-egress'))
      .map(([, service]) => service)
      .flatMap((service) => parseCpuList(service.cpuset));
    expect(new Set(all).size).toBe(all.length);
  });

  it('fails with one sentence when the plan does not fit or the cpusets overlap', async () => {
    const tooSmall = await runCli(['--workspace', workspaceWith(team), 'compose', '--cores', '2', '--workers', '4']);
    expect(tooSmall.exitCode).toBe(2);
    expect(tooSmall.stderr).toBe(
      'ralph-tui: cannot give 4 workers 1 dedicated CPU each: 1 CPU left after reserving 1 core for the system',
    );
    const overlapping = workspaceWith({
      ...team,
      agents: [
        { id: 'W1', role: 'worker', cpuset: '1-2' },
        { id: 'W2', role: 'worker', cpuset: '2' },
      ],
    });
    const overlap = await runCli(['--workspace', overlapping, 'compose', '--cores', '4']);
    expect(overlap.exitCode).toBe(2);
    expect(overlap.stderr).toBe(
      'ralph-tui: agents W1 and W2 both use CPU 2 (cpusets "1-2" and "2"); give each agent its own CPUs',
    );
  });
});

describe('ralph-tui image build', () => {
  it('builds docker/Dockerfile.agent with the workspace owner as the agent user', async () => {
    const workspace = workspaceWith({ ...team, image: 'my-agent:2' });
    fs.chownSync(workspace, 1234, 1234);
    const result = await runCli(['--workspace', workspace, 'image', 'build', '--print', '--engine', '/tmp/other.sock']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim()).toBe(
      `DOCKER_HOST=unix:///tmp/other.sock docker build -f ${path.join(repoRoot, 'docker', 'Dockerfile.agent')} -t my-agent:2 --build-arg AGENT_UID=1234 --build-arg AGENT_GID=1234 --build-arg CLAUDE_CODE_VERSION=latest ${path.join(repoRoot, 'docker')}`,
    );
  });

  it('says when no engine answers', async () => {
    const result = await runCli(
      ['--workspace', workspaceWith(team), 'image', 'build', '--engine', '/tmp/docker-none.sock'],
      { timeout: 60_000 },
    );
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(
      /ralph-tui: docker build of ralph-agent:latest failed \(exit \d+\); its output is above|the docker CLI is not installed/,
    );
  });
});

const enabled = await dockerTestsEnabled('ralph-tui down against the real engine');

describe('ralph-tui down', () => {
  it('needs no engine when every agent runs locally', async () => {
    const workspace = workspaceWith({ ...team, runtime: 'local' });
    const result = await runCli(['--workspace', workspace, 'down'], {
      env: { DOCKER_HOST: 'unix:///tmp/docker-none.sock' },
    });
    expect(result).toMatchObject({ exitCode: 0, stdout: 'no agent containers: every agent runs locally' });
  });

  it.runIf(enabled)("stops and removes the workspace's containers, and only those", async () => {
    const image = await ensureTestImage();
    const workspace = workspaceWith({
      name: `down${path.basename(makeTempDir('n-')).slice(2).toLowerCase()}`,
      runtime: 'docker',
      image,
      agents: [
        { id: 'W1', role: 'worker' },
        { id: 'W2', role: 'worker' },
      ],
    });
    fs.chownSync(workspace, 1000, 1000);
    const other = makeTempDir('docker-cli-other-');
    fs.chownSync(other, 1000, 1000);
    const config = parseConfig(JSON.parse(fs.readFileSync(path.join(workspace, 'ralph.config.json'), 'utf8')));
    const agents = config.agents.map((agent) => resolveAgent(config, agent, workspace));
    const containers = new AgentContainers({ workspace, ralphInstallDir: ralphInstallDir() });
    for (const agent of agents) await containers.ensure(agent);
    const bystander = { ...agents[0]!, containerName: `${agents[0]!.containerName}-bystander` };
    const otherContainers = new AgentContainers({ workspace: other, ralphInstallDir: ralphInstallDir() });
    await otherContainers.ensure(bystander);
    try {
      const result = await runCli(['--workspace', workspace, 'down', '--timeout', '2', '--volumes']);
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(result.stdout.split('\n').filter(Boolean).sort()).toEqual(
        agents.map((agent) => `removed ${agent.containerName} (${agent.id}) on /var/run/docker.sock`).sort(),
      );
      for (const agent of agents) expect((await containers.inspect(agent)).status).toBe('gone');
      expect((await execa('docker', ['volume', 'ls', '-q'])).stdout).not.toContain(
        `${agents[0]!.containerName}-claude`,
      );
      expect((await execa('docker', ['ps', '-a', '--format', '{{.Names}}'])).stdout).not.toContain(
        `${agents[0]!.containerName}-egress`,
      );
      expect((await otherContainers.inspect(bystander)).status).toBe('running');
      expect((await runCli(['--workspace', workspace, 'down'])).stdout).toBe(`no agent containers for ${workspace}`);
    } finally {
      await otherContainers.down([], 1, true);
    }
  });
});
