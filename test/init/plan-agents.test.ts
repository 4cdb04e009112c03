import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/init/init-workspace.js';
import { hostTopology, parseAgentKinds, planAgents } from '../../src/init/plan-agents.js';
import { parseConfig } from '../../src/config.js';

describe('sizing the agents to the machine', () => {
  it('on 2 CPUs: W0 plus one worker, each pinned to its own CPU', () => {
    const agents = planAgents({ kinds: ['builtin'], topology: hostTopology(2) });
    expect(agents.map((agent) => [agent.id, agent.role, agent.cpuset])).toEqual([
      ['W0', 'orchestrator', '0'],
      ['W1', 'worker', '1'],
    ]);
    // One worker covers every family, so the orchestrator explores them all.
    expect(agents[1].focus?.area).toBe('threshold tuning, init strategies, evaluation budgets, fidelity');
  });

  it('on 8 CPUs: seven workers with distinct cpusets and the four focus areas in turn', () => {
    const agents = planAgents({ kinds: ['builtin'], topology: hostTopology(8) });
    expect(agents).toHaveLength(8);
    const sets = agents.slice(1).map((agent) => agent.cpuset);
    expect(new Set(sets).size).toBe(7);
    expect(agents.slice(1, 5).map((agent) => agent.focus?.area)).toEqual([
      'threshold tuning',
      'init strategies',
      'evaluation budgets',
      'fidelity',
    ]);
  });

  it('more workers than spare CPUs: one CPU each while they last, never shared', () => {
    const agents = planAgents({ kinds: ['builtin'], workers: 3, topology: hostTopology(2) });
    expect(agents.slice(1).map((agent) => agent.cpuset)).toEqual(['0', '1', undefined]);
  });

  it('mixes kinds by position: claude,builtin = Claude orchestrator, built-in workers', () => {
    const agents = planAgents({ kinds: parseAgentKinds('claude,builtin'), workers: 2, topology: hostTopology(4) });
    expect(agents.map((agent) => agent.kind)).toEqual(['claude', 'builtin', 'builtin']);
    expect(() => parseAgentKinds('gpt')).toThrow(/not an agent kind/);
  });

  it('the generated configs pass the config schema (built-in local and Claude docker)', () => {
    const local = parseConfig(buildConfig({ cpus: 2 }));
    expect(local.runtime).toBe('local');
    expect(local.agents.every((agent) => agent.kind === 'builtin')).toBe(true);
    expect(local.experiments.base).toBeDefined();
    const docker = parseConfig(buildConfig({ cpus: 4, agents: 'claude', runtime: 'docker' }));
    expect(docker.runtime).toBe('docker');
    expect(docker.agents.every((agent) => agent.kind === 'claude')).toBe(true);
    expect(docker.experiments.base).toBeUndefined();
  });
});
