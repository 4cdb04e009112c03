import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, resolveAgent } from '../src/config.js';
import { UserError } from '../core/errors.js';
import { makeTempDir } from './helpers/cli.js';

function workspaceWith(config: string): string {
  const dir = makeTempDir();
  fs.writeFileSync(path.join(dir, 'ralph.config.json'), config);
  return dir;
}

describe('ralph.config.json', () => {
  it('applies defaults: claude agents get the claude command and their prompt file, builtin agents no prompt', () => {
    const dir = workspaceWith(
      JSON.stringify({
        name: 'demo',
        agents: [
          { id: 'W0', role: 'orchestrator' },
          { id: 'W1', role: 'worker', kind: 'builtin', cpuset: '1' },
        ],
      }),
    );
    const config = loadConfig(dir);
    expect(config.targetScore).toBe(1.25);
    const [w0, w1] = config.agents.map((agent) => resolveAgent(config, agent, dir));
    expect(w0.command).toBe('claude --dangerously-skip-permissions');
    expect(w0.prompt).toEqual({ file: 'orchestration/shared/prompt_W0.txt' });
    expect(w0.containerName).toBe('ralph-demo-W0');
    expect(w1.command).toBe('ralph-tui agent --id W1');
    expect(w1.prompt).toBe('off');
  });

  it('names the file, line and column of malformed JSON instead of falling back to defaults', () => {
    const dir = workspaceWith('{\n  "agents": [\n    {"id": "W0",}\n  ]\n}');
    expect(() => loadConfig(dir)).toThrowError(/ralph\.config\.json: invalid JSON at line 3, column \d+/);
  });

  it('names the field that is wrong', () => {
    const dir = workspaceWith(
      JSON.stringify({
        agents: [
          { id: 'W0', role: 'orchestrator' },
          { id: 'W1', role: 'worker', cpuset: '0-' },
        ],
      }),
    );
    expect(() => loadConfig(dir)).toThrowError(/field agents\[1\]\.cpuset: expected a cpuset/);
  });

  it('rejects duplicate agent ids and a missing config with a clear sentence', () => {
    const dup = workspaceWith(
      JSON.stringify({
        agents: [
          { id: 'W1', role: 'worker' },
          { id: 'W1', role: 'worker' },
        ],
      }),
    );
    expect(() => loadConfig(dup)).toThrowError(/duplicate agent id W1/);
    const empty = makeTempDir();
    expect(() => loadConfig(empty)).toThrowError(UserError);
    expect(() => loadConfig(empty)).toThrowError(/run `ralph-tui init/);
  });

  it('refuses the host network unless allowHostNetwork says so, and seeds Claude onboarding unless turned off', () => {
    const host = workspaceWith(JSON.stringify({ network: 'host', agents: [{ id: 'W1', role: 'worker' }] }));
    expect(() => loadConfig(host)).toThrowError(
      /field network: network "host" gives agent W1 the host's network .*"allowHostNetwork": true/,
    );
    const allowed = workspaceWith(
      JSON.stringify({
        network: 'host',
        allowHostNetwork: true,
        claudeOnboarding: 'off',
        agents: [
          { id: 'W1', role: 'worker' },
          { id: 'W2', role: 'worker', claudeOnboarding: 'seed' },
        ],
      }),
    );
    const config = loadConfig(allowed);
    expect(config.agents.map((agent) => resolveAgent(config, agent, allowed).claudeOnboarding)).toEqual([
      'off',
      'seed',
    ]);
    expect(
      resolveAgent(
        loadConfig(workspaceWith(JSON.stringify({ agents: [{ id: 'W1', role: 'worker' }] }))),
        { id: 'W1', role: 'worker', kind: 'claude', env: {} },
        '/x',
      ).claudeOnboarding,
    ).toBe('seed');
  });
});
