import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  addExperiments,
  appendTuningRun,
  claimById,
  claimedBy,
  claimNext,
  clearStop,
  completeExperiment,
  createStop,
  failExperiment,
  heartbeat,
  readCoordination,
  readQueue,
  recordFinding,
  stopState,
} from '../../orchestration/index.js';
import { UserError } from '../../core/errors.js';
import { originalDir, readShared, sharedFile, workspaceWith } from './workspace-fixture.js';

function lineDiff(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  const setA = new Map<string, number>();
  for (const line of a) setA.set(line, (setA.get(line) ?? 0) + 1);
  const added: string[] = [];
  for (const line of b) {
    const n = setA.get(line) ?? 0;
    if (n > 0) setA.set(line, n - 1);
    else added.push(line);
  }
  const removed = [...setA.entries()].flatMap(([line, n]) => Array(n).fill(line));
  return { removed, added };
}

async function rejection(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a UserError');
}

describe('locked queue operations', () => {
  it('claim on the HEAD queue rewrites only the claimed entry: unknown fields, key order, 39.0 and \\u00f6 survive', async () => {
    const root = workspaceWith({
      'experiment_queue.json': 'experiment_queue.json',
      'coordination.json': 'coordination.json',
    });
    const before = fs.readFileSync(sharedFile(root, 'experiment_queue.json'), 'utf8');
    const coordinationBefore = fs.readFileSync(sharedFile(root, 'coordination.json'), 'utf8');
    const entry = await claimNext(root, 'W4');
    expect(entry).toMatchObject({ id: 'EXP_SECOND_NM_ROUND_001', status: 'claimed', worker: 'W4' });
    const after = fs.readFileSync(sharedFile(root, 'experiment_queue.json'), 'utf8');
    const diff = lineDiff(before, after);
    expect(diff.removed).toEqual([
      '  "last_updated": "2026-01-30T00:55:51.102613",',
      '      "status": "available",',
      '      "success_criteria": "Score >= 1.1475 AND time <= 60 min"',
    ]);
    expect(diff.added).toHaveLength(5);
    expect(diff.added).toContain('      "status": "claimed",');
    expect(diff.added).toContain('      "worker": "W4",');
    expect(after).toContain('"time_min": 39.0,');
    const coordinationAfter = fs.readFileSync(sharedFile(root, 'coordination.json'), 'utf8');
    expect(coordinationAfter).toContain('"team": "MG\\u00f6ksu"');
    expect(lineDiff(coordinationBefore, coordinationAfter).removed.length).toBeLessThanOrEqual(4);
    const coordination = readCoordination(root);
    expect(coordination.workers.W4).toMatchObject({ status: 'running', currentExperiment: 'EXP_SECOND_NM_ROUND_001' });
    expect(coordination.inProgress.at(-1)).toMatchObject({
      id: 'EXP_SECOND_NM_ROUND_001',
      worker: 'W4',
      name: 'second_nm_polish_round',
    });
    expect(claimedBy(root, 'W4')?.id).toBe('EXP_SECOND_NM_ROUND_001');
    // Everything but the edited fields is semantically unchanged too.
    const rawBefore = JSON.parse(before);
    const rawAfter = JSON.parse(after);
    const index = rawBefore.experiment_queue.findIndex((raw: { id: string }) => raw.id === entry.id);
    rawAfter.experiment_queue[index] = rawBefore.experiment_queue[index];
    rawAfter.last_updated = rawBefore.last_updated;
    expect(rawAfter).toEqual(rawBefore);
  });

  it('writes numbers as the original files spell them: last_seen an epoch float (also for a new worker), --time 50.0 as 50.0', async () => {
    const root = workspaceWith({
      'experiment_queue.json': 'experiment_queue.json',
      'coordination.json': 'coordination.json',
    });
    // W1 and W2 in the real file carry "last_seen": 1769488065.2773347; W4 is new to the file.
    const entry = await claimNext(root, 'W4');
    await heartbeat(root, 'W1');
    await completeExperiment(root, entry.id, { worker: 'W4', score: 1.1, timeMin: 50, inBudget: true });
    const coordination = fs.readFileSync(sharedFile(root, 'coordination.json'), 'utf8');
    const raw = JSON.parse(coordination);
    for (const worker of ['W1', 'W4']) expect(typeof raw.workers[worker].last_seen, worker).toBe('number');
    expect(coordination).toMatch(/"W4": \{[^}]*"last_seen": \d{10}\.\d+/);
    expect(coordination).toMatch(/"id": "EXP_SECOND_NM_ROUND_001",[^}]*"score": 1\.1,\s*"time_min": 50\.0,/);
    const queue = fs.readFileSync(sharedFile(root, 'experiment_queue.json'), 'utf8');
    expect(queue).toMatch(/"score": 1\.1,\s*"time_min": 50\.0,/);
    // Readers see plain numbers.
    expect(readQueue(root).entries.find((e) => e.id === entry.id)).toMatchObject({ score: 1.1, timeMin: 50 });
  });

  it('a score equal to the best at 4 decimals is no new best (complete and tuning runs alike)', async () => {
    const root = workspaceWith();
    await addExperiments(root, [{ name: 'first' }, { name: 'tie' }, { name: 'better' }]);
    const results: boolean[] = [];
    for (const score of [1.21041, 1.21043, 1.2105]) {
      const entry = await claimNext(root, 'W1');
      results.push(
        (await completeExperiment(root, entry.id, { worker: 'W1', score, timeMin: 40, inBudget: true })).newBest,
      );
    }
    expect(results).toEqual([true, false, true]);
    expect(readCoordination(root).best?.score).toBe(1.2105);
    expect((await appendTuningRun(root, 'tie', { score: 1.21041, in_budget: true })).newBest).toBe(true);
    expect((await appendTuningRun(root, 'tie', { score: 1.21043, in_budget: true })).newBest).toBe(false);
  });

  it('claims the lowest priority number first, ties by queue order, and exits 3 when none is left', async () => {
    const root = workspaceWith();
    await addExperiments(root, [
      { name: 'b', priority: 3 },
      { name: 'a', priority: 1 },
      { name: 'c', priority: 3 },
      { name: 'archived', priority: 99 },
    ]);
    const order = [];
    for (let i = 0; i < 3; i++) order.push((await claimNext(root, 'W1')).name);
    expect(order).toEqual(['a', 'b', 'c']);
    const error = await rejection(claimNext(root, 'W2'));
    expect(error.exitCode).toBe(3);
    expect(error.message).toMatch(/no experiment available/);
  });

  it('claimById: unknown id is exit 2, an entry claimed by W2 is exit 3 naming W2', async () => {
    const root = workspaceWith({ 'experiment_queue.json': 'experiment_queue.json' });
    const unknown = await rejection(claimById(root, 'EXP_NOPE', 'W1'));
    expect(unknown.exitCode).toBe(2);
    expect(unknown.message).toMatch(/no experiment with id EXP_NOPE/);
    const taken = await rejection(claimById(root, 'EXP_SIMPLE_TOP3_NO_FILTER_001', 'W1'));
    expect(taken.exitCode).toBe(3);
    expect(taken.message).toMatch(/claimed by W2/);
    expect((await claimById(root, 'EXP_HIGHER_FEVALS_001', 'W1')).worker).toBe('W1');
  });

  it('complete records a new best only when in budget and better, frees the worker and counts the run', async () => {
    const root = workspaceWith({ 'coordination.json': 'coordination.json' });
    await addExperiments(root, [{ name: 'one' }, { name: 'two' }, { name: 'three' }]);
    const one = await claimNext(root, 'W1');
    const overBudget = await completeExperiment(root, one.id, {
      worker: 'W1',
      score: 1.3,
      timeMin: 75,
      inBudget: false,
      result: 'OVER_BUDGET',
    });
    expect(overBudget.newBest).toBe(false);
    expect(readCoordination(root).best?.score).toBe(1.1689);
    const two = await claimNext(root, 'W1');
    expect(
      (await completeExperiment(root, two.id, { worker: 'W1', score: 1.15, timeMin: 50, inBudget: true })).newBest,
    ).toBe(false);
    const three = await claimNext(root, 'W1');
    const result = await completeExperiment(root, three.id, {
      worker: 'W1',
      score: 1.2,
      timeMin: 55.5,
      inBudget: true,
      finding: 'it helps',
    });
    expect(result.newBest).toBe(true);
    const view = readCoordination(root);
    expect(view.best).toEqual({ score: 1.2, timeMin: 55.5, experiment: 'three' });
    expect(readShared(root, 'coordination.json').best_scores.previous_best.score).toBe(1.1689);
    expect(view.workers.W1).toMatchObject({ status: 'idle' });
    expect(view.workers.W1.currentExperiment).toBeUndefined();
    expect(readShared(root, 'coordination.json').workers.W1.experiments_run).toBe(3);
    expect(readQueue(root).entries.find((entry) => entry.id === three.id)).toMatchObject({
      status: 'completed',
      score: 1.2,
      timeMin: 55.5,
      finding: 'it helps',
    });
    expect(view.inProgress.find((entry) => entry.id === three.id)).toBeUndefined();
  });

  it('complete on the v1 coordination form updates best_score at the top level', async () => {
    const root = workspaceWith({ 'coordination.json': 'v1-coordination.json' });
    const [entry] = await addExperiments(root, [{ name: 'x', config: { threshold_1src: 0.36 } }]);
    await claimNext(root, 'W2');
    expect(
      (await completeExperiment(root, entry.id, { worker: 'W2', score: 1.13, timeMin: 58, inBudget: true })).newBest,
    ).toBe(true);
    const raw = readShared(root, 'coordination.json');
    expect(raw).toMatchObject({
      best_score: 1.13,
      best_time_min: 58,
      best_worker: 'W2',
      best_config: { experiment: 'x', threshold_1src: 0.36 },
    });
    expect(raw.best_scores).toBeUndefined();
  });

  it('completing or failing somebody else’s experiment is refused (exit 3)', async () => {
    const root = workspaceWith();
    const [entry] = await addExperiments(root, [{ name: 'mine' }]);
    await claimNext(root, 'W2');
    expect(
      (await rejection(completeExperiment(root, entry.id, { worker: 'W1', score: 1, timeMin: 1, inBudget: true })))
        .message,
    ).toMatch(/claimed by W2, not W1/);
    await failExperiment(root, entry.id, { worker: 'W2', reason: 'crashed', status: 'aborted' });
    expect(readQueue(root).entries[0]).toMatchObject({ status: 'aborted', result: 'ABORTED: crashed' });
    expect((await rejection(failExperiment(root, entry.id, { worker: 'W2', reason: 'again' }))).exitCode).toBe(3);
  });

  it('claim, complete and add work on the v2 format (ready_experiments, assigned_to)', async () => {
    const root = workspaceWith({ 'experiment_queue.json': 'v2-experiment_queue.json' });
    const entry = await claimNext(root, 'W3');
    expect(entry.id).toBe('EXP021');
    const raw = readShared(root, 'experiment_queue.json');
    expect(raw.ready_experiments[2]).toMatchObject({ status: 'claimed', assigned_to: 'W3' });
    const [added] = await addExperiments(root, [{ name: 'sigma_0.2' }]);
    expect(readShared(root, 'experiment_queue.json').ready_experiments.at(-1)).toMatchObject({
      id: added.id,
      status: 'available',
      assigned_to: null,
    });
  });

  it('the first add creates experiment_queue.json; ids follow EXP_<NAME>_NNN and stay unique', async () => {
    const root = workspaceWith();
    const added = await addExperiments(root, [
      { name: 'tighter_sigma', family: 'sigma', description: 'd', hypothesis: 'h' },
      { name: 'tighter_sigma' },
    ]);
    expect(added.map((entry) => entry.id)).toEqual(['EXP_TIGHTER_SIGMA_001', 'EXP_TIGHTER_SIGMA_002']);
    expect(readShared(root, 'experiment_queue.json').experiment_queue[0]).toMatchObject({
      status: 'available',
      priority: 3,
      family: 'sigma',
      hypothesis: 'h',
    });
  });

  it('heartbeat and findings update coordination.json; last_seen keeps the file’s epoch-seconds spelling', async () => {
    const root = workspaceWith({ 'coordination.json': 'coordination.json' });
    await heartbeat(root, 'W1', 'running', 'EXP_X');
    await recordFinding(root, 'W1', 'sigma 0.18 works');
    const raw = readShared(root, 'coordination.json');
    expect(typeof raw.workers.W1.last_seen).toBe('number');
    expect(raw.workers.W1.last_seen).toBeGreaterThan(1769488065.2773347);
    expect(raw.workers.W1).toMatchObject({
      status: 'running',
      current_experiment: 'EXP_X',
      focus_area: 'Experiment Executor',
    });
    expect(raw.research_findings.at(-1)).toBe('W1: sigma 0.18 works');
  });

  it('a malformed queue file is reported with file, line and column and never overwritten', async () => {
    const root = workspaceWith();
    const file = sharedFile(root, 'experiment_queue.json');
    const broken = '{\n  "experiment_queue": [\n    {"id": "A", "status": "available",}\n  ]\n}\n';
    fs.writeFileSync(file, broken);
    expect(() => readQueue(root)).toThrow(/experiment_queue\.json: invalid JSON at line 3, column \d+/);
    const error = await rejection(claimNext(root, 'W1'));
    expect(error.message).toMatch(/invalid JSON at line 3/);
    expect(fs.readFileSync(file, 'utf8')).toBe(broken);
  });

  it('a stray token is placed at its own line and column (V8 gives no position for it), in one line', () => {
    const root = workspaceWith();
    fs.writeFileSync(
      sharedFile(root, 'experiment_queue.json'),
      '{\n  "experiment_queue": [ oops\n    {"id": "A"}\n  ]\n}\n',
    );
    expect(() => readQueue(root)).toThrow(
      /experiment_queue\.json: invalid JSON at line 2, column 25: Unexpected token 'o'$/,
    );
  });

  it('a field of the wrong type is named in the error', () => {
    const root = workspaceWith();
    fs.writeFileSync(
      sharedFile(root, 'experiment_queue.json'),
      JSON.stringify({ experiment_queue: [{ id: 'A', priority: 'high' }] }),
    );
    expect(() => readQueue(root)).toThrow(/field experiment_queue\[0\]\.priority/);
  });

  it('STOP: create with a reason, read back, clear', async () => {
    const root = workspaceWith({ 'coordination.json': 'coordination.json' });
    await createStop(root, 'forced');
    expect(stopState(root)).toMatchObject({ present: true, reason: 'forced', targetReached: false });
    await clearStop(root);
    await clearStop(root);
    expect(stopState(root).present).toBe(false);
  });

  it('tuning runs append to experiments/<name>/STATE.json, keeping the original fields and tracking the in-budget best', async () => {
    const root = workspaceWith({ 'experiments/perturbed_extended_polish/STATE.json': 'experiment-STATE.json' });
    const file = `${root}/experiments/perturbed_extended_polish/STATE.json`;
    const before = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(before.best_in_budget.run).toBe(4);
    expect(
      (
        await appendTuningRun(root, 'perturbed_extended_polish', {
          run_id: 'r-a1',
          config: { a: 1 },
          score: 1.14,
          time_min: 50,
          in_budget: true,
        })
      ).newBest,
    ).toBe(false);
    expect(
      (
        await appendTuningRun(root, 'perturbed_extended_polish', {
          run_id: 'r-b2',
          config: { a: 2 },
          score: 1.15,
          time_min: 59,
          in_budget: true,
        })
      ).newBest,
    ).toBe(true);
    const after = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(after.tuning_runs).toHaveLength(before.tuning_runs.length + 2);
    // The file's runs are numbered 1..5: ours continue the integers, and best_in_budget.run stays one.
    expect(after.tuning_runs.slice(-2).map((run: { run: unknown }) => run.run)).toEqual([6, 7]);
    expect(after.best_in_budget).toMatchObject({ run: 7, run_id: 'r-b2', score: 1.15, time_min: 59 });
    expect(after.planned_configs).toEqual(before.planned_configs);
    expect(Object.keys(after)).toEqual(Object.keys(before));
    // A new experiment gets a new STATE.json.
    await appendTuningRun(root, 'fresh', { run_id: 1, score: 1.0, time_min: 70, in_budget: false });
    expect(JSON.parse(fs.readFileSync(`${root}/experiments/fresh/STATE.json`, 'utf8'))).toMatchObject({
      experiment: 'fresh',
      best_in_budget: null,
      tuning_runs: [{ run_id: 1 }],
    });
  });

  it('a lock left behind by a dead process (stale mtime) is broken, a fresh one is waited for', async () => {
    const root = workspaceWith();
    await addExperiments(root, [{ name: 'one' }, { name: 'two' }]);
    const lockDir = `${root}/orchestration/shared/.locks/shared.lock`;
    fs.mkdirSync(lockDir);
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lockDir, old, old);
    expect((await claimNext(root, 'W1')).name).toBe('one');
    // A live holder: the lock directory is refreshed; the claim waits until it is released.
    fs.mkdirSync(lockDir);
    const claim = claimNext(root, 'W2');
    let settled = false;
    void claim.finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toBe(false);
    fs.rmdirSync(lockDir);
    expect((await claim).name).toBe('two');
  });

  it('the original fixtures are untouched by the tests (they are copied)', () => {
    expect(JSON.parse(fs.readFileSync(`${originalDir}/experiment_queue.json`, 'utf8')).experiment_queue).toHaveLength(
      209,
    );
  });
});
