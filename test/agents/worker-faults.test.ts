import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readQueue } from '../../orchestration/index.js';
import { pendingOutboxes } from '../../orchestration/outbox.js';
import {
  experimentState,
  experimentWithCommand,
  loggedEntries,
  queuedWorkspace,
  REAL_PROCESS_TIMEOUT_MS,
  startAgent,
} from './agent-process.js';

describe('a built-in worker under faults in the shared files (real processes)', () => {
  it(
    'the queue turns invalid and coordination.json is cut in half mid-run: the finished run is kept, the worker waits, and once the files are fixed the result is recorded once, never run again',
    async () => {
      const root = await queuedWorkspace(4, 1);
      const shared = path.join(root, 'orchestration', 'shared');
      const queueFile = path.join(shared, 'experiment_queue.json');
      const coordinationFile = path.join(shared, 'coordination.json');
      const worker = startAgent(root, 'W1', ['--exit-when-idle']);
      await worker.waitFor(/\[1\/4\]/);

      // When: both shared files break while the experiment runs.
      const queueText = fs.readFileSync(queueFile, 'utf8');
      const coordinationText = fs.readFileSync(coordinationFile, 'utf8');
      fs.writeFileSync(queueFile, '{ "experiment_queue": [ { "id": "EXP_EXP_1_001", ');
      fs.writeFileSync(coordinationFile, coordinationText.slice(0, Math.floor(coordinationText.length / 2)));
      await worker.waitFor(/WAITING: a finished result waits in experiments\/exp-1\/outbox\/.*experiment_queue\.json/);
      // Then: the worker is alive and waiting; the result is on disk, nothing recorded in the broken files.
      expect(worker.child.exitCode).toBeNull();
      expect(pendingOutboxes(root)).toHaveLength(1);
      expect(loggedEntries(root)).toEqual([]);

      // When: a person restores the files.
      fs.writeFileSync(coordinationFile, coordinationText);
      fs.writeFileSync(queueFile, queueText);
      const result = await worker.child;
      expect(result.exitCode, worker.output()).toBe(0);

      // Then: recorded exactly once, everywhere, and run only once.
      expect(worker.output().match(/started: 4 samples/g)).toHaveLength(1);
      expect(worker.output()).toContain('resumed: the problem is fixed');
      const [entry] = readQueue(root).entries;
      expect(entry).toMatchObject({ name: 'exp-1', status: 'completed' });
      expect(typeof entry.score).toBe('number');
      expect(loggedEntries(root).map((item) => item.experiment)).toEqual(['exp-1']);
      const state = experimentState(root, 'exp-1');
      expect(state.status).toBe('completed');
      expect(state.tuning_runs).toHaveLength(1);
      const coordination = JSON.parse(fs.readFileSync(coordinationFile, 'utf8'));
      expect(
        coordination.experiments_completed.filter((record: { id: string }) => record.id === entry.id),
      ).toHaveLength(1);
      expect(pendingOutboxes(root)).toEqual([]);
    },
    REAL_PROCESS_TIMEOUT_MS,
  );

  it(
    "a run that fails for the machine's reasons (a full disk) is not the experiment's failure: the entry goes back to available",
    async () => {
      const root = await queuedWorkspace(1, 1);
      experimentWithCommand(
        root,
        'exp-1',
        "console.error('Error: ENOSPC: no space left on device, write'); process.exit(1);\n",
      );
      const worker = startAgent(root, 'W1', ['--max-experiments', '1']);
      expect((await worker.child).exitCode, worker.output()).toBe(0);

      expect(worker.output()).toMatch(
        /exp-1 did not fail on its own merits .*ENOSPC.*: back to the queue as available/,
      );
      const [entry] = readQueue(root).entries;
      expect(entry.status).toBe('available');
      expect(entry.worker ?? null).toBeNull();
      expect(loggedEntries(root).filter((item) => item.flags.includes('FAILED'))).toEqual([]);
      expect(experimentState(root, 'exp-1').status).toBe('interrupted');
    },
    REAL_PROCESS_TIMEOUT_MS,
  );

  it(
    'the orchestrator waits out an invalid queue (one WAITING line naming the file and the fix) instead of exiting, then tops the queue up',
    async () => {
      const root = await queuedWorkspace(1, 1);
      const queueFile = path.join(root, 'orchestration', 'shared', 'experiment_queue.json');
      const good = fs.readFileSync(queueFile, 'utf8');
      fs.writeFileSync(queueFile, good.slice(0, Math.floor(good.length / 2)));
      const orchestrator = startAgent(root, 'W0', ['--max-steps', '1']);
      await orchestrator.waitFor(/WAITING: .*experiment_queue\.json: invalid JSON.* — fix or restore the file/);
      expect(orchestrator.child.exitCode).toBeNull();

      fs.writeFileSync(queueFile, good);
      expect((await orchestrator.child).exitCode, orchestrator.output()).toBe(0);
      expect(orchestrator.output()).toContain('resumed: the problem is fixed');
      expect(readQueue(root).entries.length).toBeGreaterThan(1);
    },
    REAL_PROCESS_TIMEOUT_MS,
  );
});
