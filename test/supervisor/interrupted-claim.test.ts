import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addExperiments, claimNext, updateExperimentState } from '../../orchestration/index.js';
import { Supervisor } from '../../src/supervisor/index.js';
import { EventRecorder, makeWorkspace } from './workspace.js';

const running: Supervisor[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((supervisor) => supervisor.shutdown()));
});

describe("a worker's process that ends while its experiment runs", () => {
  it("leaves that experiment's STATE.json interrupted, never running; the claim stays for the restart", async () => {
    const { root, config } = makeWorkspace({
      agents: [{ id: 'W1', role: 'worker', kind: 'custom', command: 'sleep 0.3; exit 3', prompt: 'off' }],
    });
    await addExperiments(root, [{ name: 'exp-1', priority: 1 }]);
    const entry = await claimNext(root, 'W1');
    const stateFile = path.join(root, 'experiments', 'exp-1', 'STATE.json');
    fs.mkdirSync(path.dirname(stateFile), { recursive: true });
    await updateExperimentState(root, 'exp-1', { experiment_id: entry.id, claimed_by: 'W1', status: 'running' });
    const supervisor = new Supervisor({ workspace: root, config, cols: 80, rows: 24 });
    running.push(supervisor);
    const recorder = new EventRecorder(supervisor);

    await supervisor.start();
    await recorder.waitFor((event) => event.type === 'exit');
    const deadline = Date.now() + 10_000;
    while (JSON.parse(fs.readFileSync(stateFile, 'utf8')).status !== 'interrupted' && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));

    const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
    expect(state).toMatchObject({ status: 'interrupted', claimed_by: 'W1' });
    expect(state.conclusion).toMatch(/^INTERRUPTED - W1 ended while it ran/);
  });
});
