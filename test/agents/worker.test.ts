import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addExperiments, createStop, readCoordination, readQueue } from '../../orchestration/index.js';
import {
  agentWorkspace,
  experimentState,
  experimentWithCommand,
  loggedEntries,
  queueExperiments,
  queuedWorkspace,
  REAL_PROCESS_TIMEOUT_MS,
  startAgent,
} from './agent-process.js';

describe('built-in workers (real processes, tiny experiments)', () => {
  it(
    'two workers drain a queue together and never take the same experiment',
    async () => {
      const root = await queuedWorkspace(2, 4);
      const w1 = startAgent(root, 'W1', ['--exit-when-idle']);
      const w2 = startAgent(root, 'W2', ['--exit-when-idle']);
      const [r1, r2] = await Promise.all([w1.child, w2.child]);
      expect(r1.exitCode, w1.output()).toBe(0);
      expect(r2.exitCode, w2.output()).toBe(0);

      const entries = readQueue(root).entries;
      expect(entries.map((entry) => entry.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
      for (const entry of entries) {
        expect(typeof entry.score).toBe('number');
        expect(typeof entry.timeMin).toBe('number');
        expect(entry.finding).toBeTruthy();
      }
      // Each experiment ran exactly once: one claim line in one worker's output, one log entry, one tuning run.
      const claims = [...w1.output().matchAll(/claimed (exp-\d)/g), ...w2.output().matchAll(/claimed (exp-\d)/g)].map(
        (match) => match[1],
      );
      expect(claims.sort()).toEqual(['exp-1', 'exp-2', 'exp-3', 'exp-4']);
      const log = loggedEntries(root);
      expect(log.map((entry) => entry.experiment).sort()).toEqual(['exp-1', 'exp-2', 'exp-3', 'exp-4']);
      expect(log.filter((entry) => entry.flags.includes('NEW BEST')).length).toBeGreaterThanOrEqual(1);
      for (const entry of entries) {
        const dir = path.join(root, 'experiments', entry.name);
        const state = experimentState(root, entry.name);
        expect(state).toMatchObject({ status: 'completed', claimed_by: entry.worker, experiment_id: entry.id });
        expect(state.tuning_runs).toHaveLength(1);
        expect(fs.readFileSync(path.join(dir, 'SUMMARY.md'), 'utf8')).toContain(`# Experiment Summary: ${entry.name}`);
        expect(JSON.parse(fs.readFileSync(path.join(dir, 'experiment.json'), 'utf8')).config.fevals1).toBe(
          entry.config?.fevals1,
        );
      }
      const coordination = readCoordination(root);
      expect(coordination.best?.score).toBe(Math.max(...entries.map((entry) => entry.score as number)));
      expect((coordination.workers.W1?.runs ?? 0) + (coordination.workers.W2?.runs ?? 0)).toBe(4);
    },
    REAL_PROCESS_TIMEOUT_MS,
  );

  it(
    'a worker killed mid-experiment keeps its claim, and its restart resumes that experiment',
    async () => {
      const root = await queuedWorkspace(6, 2);
      const first = startAgent(root, 'W1', ['--max-experiments', '1']);
      await first.waitFor(/\[1\/6\]/);
      first.child.kill('SIGTERM');
      const killed = await first.child;
      expect(killed.exitCode, first.output()).toBe(143);
      expect(first.output()).toMatch(/exp-1 stays claimed by W1/);
      const claimed = readQueue(root).entries.find((entry) => entry.name === 'exp-1')!;
      expect(claimed.status === 'claimed' || claimed.status === 'running').toBe(true);
      expect(claimed.worker).toBe('W1');
      // The run ended without a result: its STATE.json says so instead of claiming it still runs.
      expect(experimentState(root, 'exp-1').status).toBe('interrupted');

      const second = startAgent(root, 'W1', ['--max-experiments', '1']);
      const resumed = await second.child;
      expect(resumed.exitCode, second.output()).toBe(0);
      expect(second.output()).toContain('resuming my claimed experiment exp-1');
      const entries = readQueue(root).entries;
      expect(entries.map((entry) => [entry.name, entry.status])).toEqual([
        ['exp-1', 'completed'],
        ['exp-2', 'available'],
      ]);
    },
    REAL_PROCESS_TIMEOUT_MS,
  );

  it(
    'a run that fails on its own merits (a bad config value) marks its entry failed with the reason, logs it as FAILED, and the worker carries on',
    async () => {
      const root = agentWorkspace(1);
      await addExperiments(root, [{ name: 'exp-1', family: 'budget', priority: 1, config: { fevals1: 'lots' } }]);
      const worker = startAgent(root, 'W1', ['--max-experiments', '1']);
      const result = await worker.child;
      expect(result.exitCode, worker.output()).toBe(0);
      const [entry] = readQueue(root).entries;
      expect(entry.status).toBe('failed');
      expect(entry.result).toMatch(/fevals1/);
      const [logged] = loggedEntries(root);
      expect(logged.flags).toContain('FAILED');
      expect(experimentState(root, 'exp-1').status).toBe('failed');
      expect(readCoordination(root).workers.W1?.status).toBe('idle');
    },
    REAL_PROCESS_TIMEOUT_MS,
  );

  it(
    'a bad dataset (a string among the readings) is shown once before claiming, consumes no entry, and the work resumes once it is fixed',
    async () => {
      const root = agentWorkspace(1);
      const datasetFile = path.join(root, 'data', 'tiny.json');
      const good = fs.readFileSync(datasetFile, 'utf8');
      const bad = JSON.parse(good);
      bad.samples[0].Y_noisy[3][0] = 'oops';
      fs.writeFileSync(datasetFile, JSON.stringify(bad));
      await queueExperiments(root, 2);
      const worker = startAgent(root, 'W1', ['--max-experiments', '1']);
      await worker.waitFor(/WAITING: dataset unusable: .*tiny\.json.*ralph-tui generate/);
      // Given time for several retries, nothing is claimed and the message is not repeated.
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      expect(readQueue(root).entries.map((entry) => entry.status)).toEqual(['available', 'available']);
      expect(worker.output().match(/WAITING: dataset unusable/g)).toHaveLength(1);

      fs.writeFileSync(datasetFile, good);
      const result = await worker.child;
      expect(result.exitCode, worker.output()).toBe(0);
      expect(worker.output()).toContain('resumed: the problem is fixed');
      expect(readQueue(root).entries.map((entry) => entry.status)).toEqual(['completed', 'available']);
    },
    REAL_PROCESS_TIMEOUT_MS,
  );

  it(
    'runs an experiment that has its own command as it is, reading its printed score and projection',
    async () => {
      const root = await queuedWorkspace(1, 1);
      const { dir, definition } = experimentWithCommand(
        root,
        'exp-1',
        "console.log('[ 1/2] sample_0 1-src rmse=0.1 cands=3 0.1s');\nconsole.log('[ 2/2] sample_1 2-src rmse=0.2 cands=3 0.1s');\nconsole.log('Submission Score: 1.1234');\nconsole.log('Projected (400): 39.0 min');\n",
      );
      const worker = startAgent(root, 'W1', ['--max-experiments', '1']);
      expect((await worker.child).exitCode, worker.output()).toBe(0);
      expect(worker.output()).toContain('has its own command');
      const [entry] = readQueue(root).entries;
      expect(entry).toMatchObject({ status: 'completed', score: 1.1234, timeMin: 39 });
      expect(fs.readFileSync(path.join(dir, 'experiment.json'), 'utf8')).toBe(definition);
    },
    REAL_PROCESS_TIMEOUT_MS,
  );

  it(
    'STOP makes the orchestrator and a busy worker exit at their next checkpoint, the running experiment finished',
    async () => {
      const root = agentWorkspace(2);
      const w0 = startAgent(root, 'W0');
      const w1 = startAgent(root, 'W1');
      await w1.waitFor(/running /);
      await createStop(root, 'test stop');
      const [r0, r1] = await Promise.all([w0.child, w1.child]);
      expect(r0.exitCode, w0.output()).toBe(0);
      expect(r1.exitCode, w1.output()).toBe(0);
      expect(w0.output()).toContain('STOP present: exiting');
      expect(w1.output()).toContain('STOP present: exiting');
      const entries = readQueue(root).entries;
      // The experiment in progress was completed, not abandoned; nothing is left claimed.
      expect(entries.filter((entry) => entry.status === 'completed').length).toBeGreaterThanOrEqual(1);
      expect(entries.filter((entry) => entry.status === 'claimed' || entry.status === 'running')).toHaveLength(0);
      expect(readCoordination(root).workers.W1?.status).toBe('stopped');
    },
    REAL_PROCESS_TIMEOUT_MS,
  );
});
