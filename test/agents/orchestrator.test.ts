import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimById, completeExperiment, readCoordination, readQueue } from '../../orchestration/index.js';
import { MIN_AVAILABLE, orchestratorStep } from '../../src/agents/orchestrator-agent.js';
import { loadConfig } from '../../src/config.js';
import { makeTempDir } from '../helpers/cli.js';
import { builtinAgents } from './agent-process.js';

/** A workspace whose two workers focus on threshold tuning and init strategies. */
function workspace(): string {
  const root = makeTempDir('ralph-orch-');
  const config = { agents: builtinAgents({ area: 'init strategies', searchSpace: 'inits, starts' }) };
  fs.writeFileSync(path.join(root, 'ralph.config.json'), JSON.stringify(config));
  return root;
}

async function run(root: string, id: string, worker: string, score: number, timeMin = 20) {
  await claimById(root, id, worker);
  return completeExperiment(root, id, { worker, score, timeMin, inBudget: timeMin <= 60 });
}

describe('the built-in orchestrator', () => {
  it('reads several focus areas per worker (one worker covering all families on a small machine)', async () => {
    const root = makeTempDir('ralph-orch-');
    const area = 'threshold tuning, fidelity';
    fs.writeFileSync(
      path.join(root, 'ralph.config.json'),
      JSON.stringify({
        agents: [
          { id: 'W0', role: 'orchestrator', kind: 'builtin' },
          { id: 'W1', role: 'worker', kind: 'builtin', focus: { area, searchSpace: 'x' } },
        ],
      }),
    );
    const step = await orchestratorStep(root, loadConfig(root));
    expect(new Set(step.added.map((proposal) => proposal.family))).toEqual(new Set(['thresholds', 'fidelity']));
  });

  it("fills an empty queue to at least 5 available experiments in the workers' families, then leaves a full queue alone", async () => {
    const root = workspace();
    const config = loadConfig(root);
    const first = await orchestratorStep(root, config);
    const queue = readQueue(root);
    const available = queue.entries.filter((entry) => entry.status === 'available');
    expect(available.length).toBeGreaterThanOrEqual(MIN_AVAILABLE);
    expect(new Set(available.map((entry) => entry.family))).toEqual(new Set(['thresholds', 'init']));
    expect(new Set(available.map((entry) => entry.name)).size).toBe(available.length);
    for (const entry of available) expect(entry.config).toBeDefined();
    expect(first.added).toHaveLength(available.length);

    const second = await orchestratorStep(root, config);
    expect(second.added).toHaveLength(0);
    expect(readQueue(root).entries).toHaveLength(queue.entries.length);
  });

  it('tops the queue up as workers consume it, around the best configuration, and retires a family after 3 experiments without improvement', async () => {
    const root = workspace();
    const config = loadConfig(root);
    await orchestratorStep(root, config);
    const entries = readQueue(root).entries;
    const init = entries.filter((entry) => entry.family === 'init');
    const thresholds = entries.filter((entry) => entry.family === 'thresholds');
    // The first in-budget result is the best; then three threshold experiments do worse.
    await run(root, init[0].id, 'W2', 1.0);
    for (const entry of thresholds.slice(0, 3)) await run(root, entry.id, 'W1', 0.95);

    const step = await orchestratorStep(root, config);
    expect(step.retired).toEqual(['thresholds']);
    expect(step.best?.name).toBe(init[0].name);
    const after = readQueue(root).entries.filter((entry) => entry.status === 'available');
    expect(after.length).toBeGreaterThanOrEqual(MIN_AVAILABLE);
    expect(step.added.length).toBeGreaterThan(0);
    // New work only goes to open families, built on the best entry's configuration.
    for (const proposal of step.added) {
      expect(proposal.family).toBe('init');
      for (const [key, value] of Object.entries(init[0].config ?? {})) {
        if (proposal.config[key] !== undefined && Object.keys(proposal.config).length > 1)
          expect(proposal.config[key]).toEqual(value);
      }
    }
    // A new best gets a fresh batch around it that runs before the older proposals.
    const older = Math.min(
      ...readQueue(root)
        .entries.filter((entry) => entry.status === 'available' && !step.added.some((p) => p.name === entry.name))
        .map((entry) => entry.priority),
    );
    for (const proposal of step.added) {
      expect(proposal.description).toContain(`around ${init[0].name} (1.0000)`);
      expect(proposal.priority).toBeLessThan(older);
    }
    const findings = readCoordination(root).findings;
    expect(findings.some((text) => text.includes('Family thresholds retired'))).toBe(true);
    expect(findings.some((text) => text.includes(`First in-budget result: ${init[0].name}`))).toBe(true);

    // Findings are recorded once, however often the orchestrator looks.
    await orchestratorStep(root, config);
    expect(readCoordination(root).findings.length).toBe(findings.length);
  });
});
