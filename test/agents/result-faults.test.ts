import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import lockfile from 'proper-lockfile';
import { afterAll, describe, expect, it } from 'vitest';
import {
  addExperiments,
  appendLogEntry,
  claimNext,
  parseLogEntries,
  readQueue,
  updateExperimentState,
} from '../../orchestration/index.js';
import {
  drainOutbox,
  drainPending,
  openOutbox,
  outboxDir,
  outboxKey,
  pendingOutboxes,
  type OutboxStep,
} from '../../orchestration/outbox.js';
import {
  openWorkerResult,
  workerOutboxKinds,
  workerResultSteps,
  type WorkerResult,
} from '../../src/agents/worker-result.js';
import { RUN_RECORD, runRecordPayload, runRecordSteps } from '../../src/experiments/record-run.js';
import type { ExperimentConfig } from '../../solver/experiment-config.js';
import { makeTempDir } from '../helpers/cli.js';

/**
 * A finished experiment's result on its way to every place it belongs, with one fault injected just before each
 * step of a worker's cycle (the run's records: STATE.json tuning run, MLflow; the worker's: queue, coordination,
 * STATE.json, SUMMARY.md, ITERATION_LOG.md). After the fault is repaired, the next drain must leave each record
 * exactly once.
 */
const RUN_ID = '20261129-200000-abcd';
const NAME = 'exp-1';

type Target = 'state' | 'mlruns' | 'queue' | 'coordination' | 'summary' | 'log';
const STEPS: Array<{ journal: 'run' | 'worker'; step: string; target: Target }> = [
  { journal: 'run', step: 'tuning-run', target: 'state' },
  { journal: 'run', step: 'mlflow', target: 'mlruns' },
  { journal: 'worker', step: 'complete', target: 'queue' },
  // Same step: the queue is written, then coordination.json fails (the half-recorded result).
  { journal: 'worker', step: 'complete', target: 'coordination' },
  { journal: 'worker', step: 'state', target: 'state' },
  { journal: 'worker', step: 'summary', target: 'summary' },
  { journal: 'worker', step: 'log', target: 'log' },
];

type FaultName = 'truncated' | 'invalid' | 'locked' | 'missing' | 'unwritable' | 'full disk';
const JSON_FILES: Target[] = ['state', 'queue', 'coordination'];
function applies(fault: FaultName, target: Target): boolean {
  if (fault === 'truncated' || fault === 'invalid') return JSON_FILES.includes(target);
  // STATE.json, coordination.json and the log are created when missing (a new workspace); the queue is not.
  if (fault === 'missing') return target === 'queue';
  if (fault === 'locked') return target !== 'summary' && target !== 'coordination';
  return true;
}

function fileOf(root: string, target: Target): string {
  const shared = path.join(root, 'orchestration', 'shared');
  return {
    state: path.join(root, 'experiments', NAME, 'STATE.json'),
    mlruns: path.join(root, 'mlruns'),
    queue: path.join(shared, 'experiment_queue.json'),
    coordination: path.join(shared, 'coordination.json'),
    summary: path.join(root, 'experiments', NAME, 'SUMMARY.md'),
    log: path.join(root, 'ITERATION_LOG.md'),
  }[target];
}

function lockOf(root: string, target: Target): string {
  const locks = path.join(root, 'orchestration', 'shared', '.locks');
  return path.join(
    locks,
    {
      state: `experiment-${NAME}.lock`,
      mlruns: 'mlruns.lock',
      queue: 'shared.lock',
      coordination: 'shared.lock',
      summary: '',
      log: 'log.lock',
    }[target],
  );
}

/** Injects a fault into the workspace on `disk`; returns the repair. */
async function inject(fault: FaultName, disk: string, root: string, target: Target): Promise<() => Promise<void>> {
  const file = fileOf(root, target);
  if (fault === 'truncated' || fault === 'invalid' || fault === 'missing') {
    const before = fs.readFileSync(file);
    if (fault === 'truncated') fs.writeFileSync(file, before.subarray(0, Math.floor(before.length / 2)));
    else if (fault === 'invalid') fs.writeFileSync(file, '{ "written by": a person in an editor ]');
    else fs.rmSync(file);
    return async () => fs.writeFileSync(file, before);
  }
  if (fault === 'locked') {
    // Another process holds the lock for a moment: the step waits for it rather than failing.
    const release = await lockfile.lock(lockOf(root, target), { lockfilePath: lockOf(root, target), realpath: false });
    setTimeout(() => void release(), 1_200);
    return async () => undefined;
  }
  if (fault === 'unwritable') {
    await execa('mount', ['-o', 'remount,ro', disk]);
    return async () => void (await execa('mount', ['-o', 'remount,rw', disk]));
  }
  const filler = path.join(disk, 'filler');
  const fd = fs.openSync(filler, 'w');
  try {
    for (;;) fs.writeSync(fd, Buffer.alloc(4096, 1));
  } catch {
    fs.closeSync(fd);
  }
  return async () => fs.rmSync(filler);
}

const mounts: string[] = [];
afterAll(async () => {
  for (const dir of mounts) await execa('umount', [dir], { reject: false });
});

/** An 8 MiB tmpfs (a disk that can be filled and made read-only), or null where mounting is not allowed. */
async function mountDisk(): Promise<string | null> {
  const dir = makeTempDir('ralph-faults-');
  const mounted = await execa('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir], { reject: false });
  if (mounted.exitCode !== 0) return null;
  mounts.push(dir);
  return dir;
}

/** Given: W1 has claimed exp-1 (of two), its STATE.json says running, its run wrote the result file. */
async function claimedWorkspace(root: string): Promise<{ result: WorkerResult; entryId: string }> {
  await addExperiments(root, [
    { name: NAME, family: 'budget', priority: 1, config: { fevals1: 20 } },
    { name: 'exp-2', family: 'budget', priority: 2, config: { fevals1: 22 } },
  ]);
  await appendLogEntry(root, {
    worker: 'W2',
    experiment: 'earlier',
    score: 0.5,
    timeMin: 30,
    result: 'an earlier entry',
  });
  const entry = await claimNext(root, 'W1');
  fs.mkdirSync(path.join(root, 'experiments', NAME), { recursive: true });
  await updateExperimentState(root, NAME, {
    experiment: NAME,
    experiment_id: entry.id,
    claimed_by: 'W1',
    status: 'running',
    config: entry.config,
  });
  const results = path.join(root, 'experiments', NAME, 'results');
  fs.mkdirSync(results, { recursive: true });
  fs.writeFileSync(path.join(results, `${RUN_ID}.json`), JSON.stringify({ run_id: RUN_ID, score: 0.91 }));
  const result: WorkerResult = {
    entryId: entry.id,
    entryName: NAME,
    name: NAME,
    worker: 'W1',
    family: 'budget',
    config: { fevals1: 20 },
    score: 0.91,
    against: 'Y',
    timeMin: 12.5,
    budgetMinutes: 60,
    inBudget: true,
    previousBest: null,
    result: 'SUCCESS - 0.9100 @ 12.5 min (NEW BEST)',
    finding: 'fevals1=20: first in-budget result.',
    resultFile: `experiments/${NAME}/results/${RUN_ID}.json`,
  };
  return { result, entryId: entry.id };
}

function runJournalPayload() {
  const at = new Date('2026-11-29T20:00:00Z');
  return runRecordPayload({
    experiment: NAME,
    runId: RUN_ID,
    config: { fevals1: 20 } as unknown as ExperimentConfig,
    summary: {
      n_samples: 2,
      score: 0.91,
      against: 'Y',
      rmse_mean: 0.1,
      rmse_1src: 0.1,
      rmse_2src: null,
      wall_seconds: 3,
      cpu_seconds_per_sample: 1.5,
      projected_400_samples_min: 10,
      workers: 1,
      simulations: 100,
      time_mean_1src: 1.5,
      time_mean_2src: null,
    },
    budget: { projectedMin: 12.5, inBudget: true },
    dataset: 'data/tiny.json',
    shuffle: false,
    incomplete: false,
    startedAt: at,
    finishedAt: at,
    resultFile: `experiments/${NAME}/results/${RUN_ID}.json`,
  });
}

/** Then: every record is there exactly once, nothing pending, the other entry untouched. */
function expectExactlyOnce(root: string, entryId: string): void {
  expect(pendingOutboxes(root)).toEqual([]);
  const entries = readQueue(root).entries;
  expect(entries.map((entry) => [entry.name, entry.status])).toEqual([
    [NAME, 'completed'],
    ['exp-2', 'available'],
  ]);
  expect(entries[0].score).toBe(0.91);
  const coordination = JSON.parse(fs.readFileSync(fileOf(root, 'coordination'), 'utf8'));
  expect(coordination.experiments_completed.filter((record: { id: string }) => record.id === entryId)).toHaveLength(1);
  expect(coordination.experiments_in_progress?.[entryId]).toBeUndefined();
  expect(coordination.best_scores.in_budget).toMatchObject({ score: 0.91, id: entryId });
  const state = JSON.parse(fs.readFileSync(fileOf(root, 'state'), 'utf8'));
  expect(state.status).toBe('completed');
  expect(state.tuning_runs.map((run: { run_id: string }) => run.run_id)).toEqual([RUN_ID]);
  const mlflowRuns = fs
    .readdirSync(path.join(root, 'mlruns'), { recursive: true })
    .filter((file) => String(file).endsWith(path.join('tags', 'ralph.run_id')));
  expect(mlflowRuns).toHaveLength(1);
  expect(fs.readFileSync(fileOf(root, 'summary'), 'utf8')).toContain('**Score**: 0.9100');
  const logged = parseLogEntries(fs.readFileSync(fileOf(root, 'log'), 'utf8'));
  expect(logged.map((entry) => [entry.worker, entry.experiment])).toEqual([
    ['W2', 'earlier'],
    ['W1', NAME],
  ]);
  expect(logged[1].flags).toContain('NEW BEST');
}

function withFaultBefore(steps: OutboxStep[], name: string | null, fault: () => Promise<void>): OutboxStep[] {
  return steps.map((step) =>
    step.name === name ? { ...step, apply: async (record) => (await fault(), step.apply(record)) } : step,
  );
}

const FAULTS: FaultName[] = ['truncated', 'invalid', 'locked', 'missing', 'unwritable', 'full disk'];
const CASES = STEPS.flatMap((step) =>
  FAULTS.filter((fault) => applies(fault, step.target)).map((fault) => ({ ...step, fault })),
);

describe('a finished result under faults is kept and applied exactly once', () => {
  it.for(CASES)(
    '$fault $target before step $journal:$step',
    { timeout: 60_000 },
    async ({ journal, step, target, fault }, context) => {
      const disk = await mountDisk();
      if (!disk) {
        console.warn('skipped: cannot mount a tmpfs here (needs root, as in CI)');
        context.skip();
        return;
      }
      const root = disk;
      const { result, entryId } = await claimedWorkspace(root);
      let repair: (() => Promise<void>) | null = null;
      const injectOnce = async () => {
        repair ??= await inject(fault, disk, root, target);
      };

      // When: the run records itself, then the worker records the result, as `ralph-tui run` and the worker do.
      const runJournal = await openOutbox(outboxDir(root, NAME), {
        key: RUN_ID,
        kind: RUN_RECORD,
        payload: { ...runJournalPayload() },
      });
      await drainOutbox(runJournal, withFaultBefore(runRecordSteps(root), journal === 'run' ? step : null, injectOnce));
      const key = outboxKey(entryId);
      let workerJournal: string | null = null;
      try {
        workerJournal = await openWorkerResult(root, result, key);
      } catch {
        // A read-only or full disk from the run's steps on: the worker keeps the result in memory and retries.
      }
      if (workerJournal)
        await drainOutbox(
          workerJournal,
          withFaultBefore(workerResultSteps(root), journal === 'worker' ? step : null, injectOnce),
        );
      expect(repair, 'the fault was injected').not.toBeNull();
      if (fault === 'truncated' || fault === 'invalid' || fault === 'missing' || fault === 'unwritable') {
        expect(
          pendingOutboxes(root).length + (workerJournal ? 0 : 1),
          'something waits while the fault lasts',
        ).toBeGreaterThan(0);
      }

      // When the fault is repaired, the worker's next pass drains what waits.
      await repair!();
      if (!workerJournal) workerJournal = await openWorkerResult(root, result, key);
      const drained = await drainPending(root, workerOutboxKinds(root));
      expect(drained.complete, drained.complete ? '' : `${drained.step}: ${drained.error.message}`).toBe(true);
      expectExactlyOnce(root, entryId);
      // And a further pass changes nothing.
      expect((await drainPending(root, workerOutboxKinds(root))).complete).toBe(true);
      expectExactlyOnce(root, entryId);
    },
  );

  it('a crash after every step but before the journal recorded any of them replays them all without a duplicate', async () => {
    const root = makeTempDir('ralph-replay-');
    const { result, entryId } = await claimedWorkspace(root);
    const runJournal = await openOutbox(outboxDir(root, NAME), {
      key: RUN_ID,
      kind: RUN_RECORD,
      payload: { ...runJournalPayload() },
    });
    const workerJournal = await openWorkerResult(root, result);
    const snapshots = [runJournal, workerJournal].map((file) => [file, fs.readFileSync(file)] as const);
    expect((await drainPending(root, workerOutboxKinds(root))).complete).toBe(true);
    expectExactlyOnce(root, entryId);

    for (const [file, bytes] of snapshots) fs.writeFileSync(file, bytes);
    expect((await drainPending(root, workerOutboxKinds(root))).complete).toBe(true);
    expectExactlyOnce(root, entryId);
  });
});
