import { describe, expect, it } from 'vitest';
import {
  agentContainerSpec,
  assertNoDockerSocket,
  computeStats,
  parseMemory,
  redactSecrets,
} from '../../docker/index.js';
import { defaultMemoryBytes, egressPlan } from '../../docker/container-spec.js';
import { parseConfig, resolveAgent } from '../../src/config.js';

const config = parseConfig({
  name: 'heat',
  runtime: 'docker',
  agents: [
    {
      id: 'W1',
      role: 'worker',
      cpuset: '2-3',
      cpus: 1.5,
      memory: '8g',
      env: { MLFLOW_TRACKING_URI: 'file:///workspace/mlruns' },
      gpus: 'all',
    },
  ],
});
const agent = resolveAgent(config, config.agents[0]!, '/home/me/heat');

describe('agentContainerSpec', () => {
  it("places the workspace at /workspace (rw) with the supervisor's .ralph masked, the install, config and data read-only, ~/.claude on a per-agent volume, with the limits", () => {
    const spec = agentContainerSpec(agent, {
      workspace: '/home/me/heat',
      ralphInstallDir: '/opt/src/ralph-tui',
      user: '1001:1001',
      imagePath: '/usr/local/bin:/usr/bin:/bin',
    });
    expect(spec).toMatchObject({
      name: 'ralph-heat-W1',
      image: 'ralph-agent:latest',
      user: '1001:1001',
      workingDir: '/workspace',
      labels: { 'ralph.workspace': '/home/me/heat', 'ralph.agent': 'W1' },
      binds: [
        { source: '/home/me/heat', target: '/workspace', readOnly: false },
        { source: '/opt/src/ralph-tui', target: '/opt/ralph-tui', readOnly: true },
        { source: '/home/me/heat/ralph.config.json', target: '/workspace/ralph.config.json', readOnly: true },
        { source: '/home/me/heat/data', target: '/workspace/data', readOnly: true },
        { source: '/home/me/heat/.ralph/progress', target: '/workspace/.ralph/progress', readOnly: false },
        { source: '/home/me/heat/.ralph/agents/W1', target: '/run/ralph', readOnly: false },
      ],
      volumes: [
        { name: 'ralph-heat-W1-claude', target: '/home/agent/.claude', readOnly: false },
        { name: 'ralph-heat-W1-egress', target: '/run/ralph-egress', readOnly: true },
      ],
      init: true,
      readOnlyRootfs: true,
      network: 'none',
      egress: {
        mode: 'filtered',
        allow: expect.arrayContaining(['api.anthropic.com', 'registry.npmjs.org', 'pypi.org', 'github.com']),
      },
      cpuset: '2-3',
      nanoCpus: 1_500_000_000,
      memoryBytes: 8 * 1024 ** 3,
      pidsLimit: 4096,
      gpus: 'all',
    });
    expect(spec.env).toMatchObject({
      MLFLOW_TRACKING_URI: 'file:///workspace/mlruns',
      PATH: '/opt/ralph-tui/docker/bin:/usr/local/bin:/usr/bin:/bin',
      RALPH_WORKSPACE: '/workspace',
      // Paths the host reads back (MLflow artifact URIs) are written with the host's name for the workspace.
      RALPH_HOST_WORKSPACE: '/home/me/heat',
      RALPH_AGENT_ID: 'W1',
      RALPH_STATUS_FILE: '/run/ralph/status.json',
      HTTPS_PROXY: 'http://127.0.0.1:3128',
      CLAUDE_CONFIG_DIR: '/home/agent/.claude',
    });
    expect(Object.keys(spec.tmpfs).sort()).toEqual(['/home/agent', '/tmp', '/workspace/.ralph']);
    expect(spec.tmpfs['/workspace/.ralph']).toMatch(/^ro,/);
    // The agent's own, so it can reach the progress folder mounted inside whatever mode the host's .ralph has.
    expect(spec.tmpfs['/workspace/.ralph']).toContain('uid=1001,gid=1001');
    expect(spec.tmpfs['/home/agent']).toContain('uid=1001,gid=1001');
    expect(spec.command.join(' ')).toContain('egress-main.js forward /run/ralph-egress/proxy.sock 3128');
    // Pass-through variables (API keys) are never part of the container's definition.
    expect(Object.keys(spec.env)).not.toContain('ANTHROPIC_API_KEY');
  });

  it("gives an agent without a memory setting its share of the engine's memory", () => {
    const { memory: _none, ...unlimited } = agent;
    expect(
      agentContainerSpec(unlimited, {
        workspace: '/w',
        ralphInstallDir: '/i',
        user: '1000:1000',
        defaultMemoryBytes: defaultMemoryBytes(32 * 1024 ** 3, 8),
      }).memoryBytes,
    ).toBe(3 * 1024 ** 3);
    expect(defaultMemoryBytes(2 * 1024 ** 3, 8)).toBe(512 * 1024 ** 2);
  });

  it('filters egress unless a network is named; host networking only with allowHostNetwork', () => {
    expect(egressPlan({ ...agent, network: 'none' })).toEqual({ mode: 'none' });
    expect(egressPlan({ ...agent, network: 'bridge' })).toMatchObject({
      mode: 'open',
      network: 'bridge',
      warning: expect.stringContaining('egress is not filtered'),
    });
    expect(() => egressPlan({ ...agent, network: 'host' })).toThrow(
      'agent W1: network "host" gives the agent the host\'s network unfiltered — set "allowHostNetwork": true',
    );
    expect(egressPlan({ ...agent, network: 'container:other', allowHostNetwork: true })).toMatchObject({
      mode: 'open',
    });
    const spec = agentContainerSpec(
      { ...agent, network: 'bridge' },
      { workspace: '/w', ralphInstallDir: '/i', user: '1000:1000' },
    );
    expect(spec.env.HTTPS_PROXY).toBeUndefined();
    expect(spec.volumes.map((volume) => volume.target)).toEqual(['/home/agent/.claude']);
  });

  it('reads memory sizes as Docker does', () => {
    expect(parseMemory('512m')).toBe(512 * 1024 ** 2);
    expect(parseMemory('1.5g')).toBe(1.5 * 1024 ** 3);
    expect(parseMemory('64MB')).toBe(64 * 1024 ** 2);
    expect(parseMemory(1000)).toBe(1000);
    expect(() => parseMemory('lots', 'agent W1: memory')).toThrow(
      'agent W1: memory: "lots" is not a size like "8g" or "512m"',
    );
  });
});

describe('assertNoDockerSocket', () => {
  const spec = (source: string) =>
    agentContainerSpec(agent, { workspace: source, ralphInstallDir: '/opt/src/ralph-tui', user: '1000:1000' });

  it('refuses to mount a folder that holds the Docker socket', () => {
    expect(() => assertNoDockerSocket(spec('/var/run'), ['/var/run/docker.sock'])).toThrow(
      'refusing to mount /var/run into ralph-heat-W1: it contains the Docker socket /var/run/docker.sock, which would give the agent control of the engine',
    );
    expect(() => assertNoDockerSocket(spec('/'), ['/var/run/docker.sock'])).toThrow('refusing to mount /');
  });

  it('allows folders beside it', () => {
    expect(() => assertNoDockerSocket(spec('/var/runner'), ['/var/run/docker.sock'])).not.toThrow();
    expect(() => assertNoDockerSocket(spec('/home/me/heat'), ['/var/run/docker.sock', '/tmp/d2.sock'])).not.toThrow();
  });
});

describe('computeStats (docker stats arithmetic)', () => {
  it('computes CPU % from the deltas against the host, scaled by online CPUs, and memory without page cache (cgroup v1)', () => {
    const stats = computeStats({
      cpu_stats: { cpu_usage: { total_usage: 3_000_000_000 }, system_cpu_usage: 20_000_000_000, online_cpus: 4 },
      precpu_stats: { cpu_usage: { total_usage: 2_000_000_000 }, system_cpu_usage: 16_000_000_000 },
      memory_stats: { usage: 300 * 1024 ** 2, limit: 1024 ** 3, stats: { total_inactive_file: 100 * 1024 ** 2 } },
    });
    // 1 s of container CPU over 4 s of host CPU time (4 CPUs × 1 s): one full core = 100 %.
    expect(stats.cpuPercent).toBeCloseTo(100, 6);
    expect(stats.memoryBytes).toBe(200 * 1024 ** 2);
    expect(stats.memoryLimitBytes).toBe(1024 ** 3);
  });

  it('uses inactive_file on cgroup v2; an empty sample reads 0 %', () => {
    const stats = computeStats({
      cpu_stats: { cpu_usage: { total_usage: 5 }, system_cpu_usage: 10, online_cpus: 2 },
      precpu_stats: {},
      memory_stats: { usage: 1000, limit: 5000, stats: { inactive_file: 400 } },
    });
    expect(stats.memoryBytes).toBe(600);
    expect(computeStats({}).cpuPercent).toBe(0);
  });
});

describe('redactSecrets', () => {
  it('replaces every occurrence of each secret', () => {
    expect(
      redactSecrets('key sk-ant-123456 and again sk-ant-123456, token abcd', [
        'sk-ant-123456',
        'abcd',
        undefined,
        'xy',
      ]),
    ).toBe('key *** and again ***, token ***');
  });
});
