// A worker's claim on an experiment, start to end: claimed (next by priority, or by id), then completed (a new
// best when it beats the in-budget best), failed, or released back to the queue.
import { UserError } from '../core/errors.js';
import { beatsBest } from './best-score.js';
import { bestOf, coordinationFormat } from './coordination.js';
import { pythonFloat } from './json-edit.js';
import { normaliseEntry, queueFile, type QueueEntry, type QueueLayout } from './queue-view.js';
import {
  editCoordination,
  editQueue,
  EXIT_UNAVAILABLE,
  findEntry,
  markSeen,
  now,
  setWorker,
  withSharedLock,
  workerRecord,
  type Json,
} from './shared-edit.js';
import { mapStatus } from './status-map.js';

async function markClaimed(root: string, entry: QueueEntry, worker: string): Promise<void> {
  await editCoordination(root, (doc) => {
    if (!doc.experiments_in_progress || typeof doc.experiments_in_progress !== 'object')
      doc.experiments_in_progress = {};
    doc.experiments_in_progress[entry.id] = { worker, started: now(), name: entry.name };
    const record = workerRecord(doc, worker);
    record.status = 'running';
    record.current_experiment = entry.id;
    record.last_started = now();
    markSeen(doc, record);
  });
}

function claim(raw: Json, layout: QueueLayout, worker: string): QueueEntry {
  raw.status = 'claimed';
  setWorker(raw, layout, worker);
  raw.claimed_at = now();
  return normaliseEntry(raw);
}

/**
 * Claims the next available experiment for `worker`: the lowest priority number, ties by queue
 * order. Throws a UserError with exit code 3 when none is available.
 */
export async function claimNext(root: string, worker: string): Promise<QueueEntry> {
  return withSharedLock(root, async () => {
    const claimed = await editQueue(root, (list, layout) => {
      let best: { raw: Json; priority: number } | null = null;
      for (const raw of list) {
        // The file was validated by editQueue: map the status without normalising all 800 entries.
        const priority = Number(raw.priority ?? 0);
        if (mapStatus(raw.status, priority).status !== 'available') continue;
        if (!best || priority < best.priority) best = { raw, priority };
      }
      if (!best) throw new UserError('no experiment available in the queue', EXIT_UNAVAILABLE);
      return claim(best.raw, layout, worker);
    });
    await markClaimed(root, claimed, worker);
    return claimed;
  });
}

/** Claims one experiment by id. Unknown id → exit 2; not available (e.g. claimed by W2) → exit 3. */
export async function claimById(root: string, id: string, worker: string): Promise<QueueEntry> {
  return withSharedLock(root, async () => {
    const { file } = queueFile(root);
    const claimed = await editQueue(root, (list, layout) => {
      const raw = findEntry(list, id, file);
      const entry = normaliseEntry(raw);
      if (entry.status !== 'available') {
        const who = entry.worker ? ` by ${entry.worker}` : '';
        throw new UserError(
          `experiment ${id} is not available: it is ${entry.status}${who} (status "${entry.rawStatus}")`,
          EXIT_UNAVAILABLE,
        );
      }
      return claim(raw, layout, worker);
    });
    await markClaimed(root, claimed, worker);
    return claimed;
  });
}

export interface CompleteOptions {
  worker: string;
  score: number;
  timeMin: number;
  result?: string;
  finding?: string;
  /** Whether the run fits the budget (time); only an in-budget run can become the best. */
  inBudget: boolean;
  /**
   * Makes the completion idempotent (a result replayed from its outbox, see outbox.ts): the key is kept in the
   * queue entry and the coordination record, and a file that already holds it is left as it is.
   */
  resultKey?: string;
}

function ownedEntry(list: Json[], id: string, worker: string, file: string): Json {
  const raw = findEntry(list, id, file);
  const entry = normaliseEntry(raw);
  if (entry.status === 'completed' || entry.status === 'failed' || entry.status === 'aborted') {
    throw new UserError(
      `experiment ${id} is already ${entry.status}${entry.worker ? ` by ${entry.worker}` : ''}`,
      EXIT_UNAVAILABLE,
    );
  }
  if ((entry.status === 'claimed' || entry.status === 'running') && entry.worker && entry.worker !== worker) {
    throw new UserError(`experiment ${id} is claimed by ${entry.worker}, not ${worker}`, EXIT_UNAVAILABLE);
  }
  return raw;
}

function finishInCoordination(doc: Json, entry: QueueEntry, worker: string, completed: Json): void {
  if (doc.experiments_in_progress && typeof doc.experiments_in_progress === 'object')
    delete doc.experiments_in_progress[entry.id];
  if (!Array.isArray(doc.experiments_completed)) doc.experiments_completed = [];
  doc.experiments_completed.push(completed);
  const record = workerRecord(doc, worker);
  record.status = 'idle';
  record.current_experiment = null;
  record.experiments_run = (typeof record.experiments_run === 'number' ? record.experiments_run : 0) + 1;
  record.last_completed = entry.id;
  markSeen(doc, record);
}

/**
 * Completes an experiment: records score, time, result and finding in the queue, moves the
 * worker to idle (runs + 1) and records a new best in coordination.json only when the run is
 * in budget and better than the current in-budget best.
 */
export async function completeExperiment(
  root: string,
  id: string,
  options: CompleteOptions,
): Promise<{ newBest: boolean; entry: QueueEntry }> {
  return withSharedLock(root, async () => {
    const { file } = queueFile(root);
    const entry = await editQueue(root, (list, layout, doc) => {
      if (options.resultKey !== undefined) {
        const done = list.find((raw) => String(raw.id ?? raw.name) === id && raw.result_key === options.resultKey);
        if (done) return normaliseEntry(done);
      }
      const raw = ownedEntry(list, id, options.worker, file);
      raw.status = 'completed';
      setWorker(raw, layout, options.worker);
      raw.score = options.score;
      raw.time_min = options.timeMin;
      if (options.result !== undefined) raw.result = options.result;
      if (options.finding !== undefined) raw.finding = options.finding;
      raw.completed_at = now();
      if (options.resultKey !== undefined) raw.result_key = options.resultKey;
      // The original v3 queue also kept a list of completed ids.
      if (layout.format === 'v3' && Array.isArray(doc.completed_experiments) && !doc.completed_experiments.includes(id))
        doc.completed_experiments.push(id);
      const normalised = normaliseEntry(raw);
      // Scores and times are floats in the original files (58.2, 63.0): `--time 50.0` is written 50.0.
      raw.score = pythonFloat(options.score);
      raw.time_min = pythonFloat(options.timeMin);
      return normalised;
    });
    const newBest = await editCoordination(root, (doc, parsed) => {
      if (options.resultKey !== undefined && Array.isArray(doc.experiments_completed)) {
        const done = doc.experiments_completed.find((record: Json) => record?.result_key === options.resultKey);
        if (done) return done.new_best === true;
      }
      const current = bestOf(parsed);
      const better = options.inBudget && beatsBest(options.score, current?.score);
      if (better) {
        if (coordinationFormat(doc) === 'v1') {
          doc.best_score = pythonFloat(options.score);
          doc.best_time_min = pythonFloat(options.timeMin);
          doc.best_worker = options.worker;
          doc.best_config = { experiment: entry.name, ...(entry.config ?? {}) };
        } else {
          if (!doc.best_scores || typeof doc.best_scores !== 'object') doc.best_scores = {};
          if (doc.best_scores.in_budget) doc.best_scores.previous_best = doc.best_scores.in_budget;
          doc.best_scores.in_budget = {
            score: pythonFloat(options.score),
            time_min: pythonFloat(options.timeMin),
            experiment: entry.name,
            worker: options.worker,
            id: entry.id,
            date: now(),
          };
        }
      }
      const completed: Json = {
        id: entry.id,
        name: entry.name,
        worker: options.worker,
        score: pythonFloat(options.score),
        time_min: pythonFloat(options.timeMin),
        result: options.result ?? (better ? 'NEW_BEST' : 'COMPLETED'),
      };
      if (entry.family) completed.family = entry.family;
      if (options.finding) completed.finding = options.finding;
      if (options.resultKey !== undefined)
        Object.assign(completed, { result_key: options.resultKey, new_best: better });
      finishInCoordination(doc, entry, options.worker, completed);
      return better;
    });
    return { newBest, entry };
  });
}

/** Marks an experiment failed (crashed) or aborted (stopped on purpose) and frees the worker. */
export async function failExperiment(
  root: string,
  id: string,
  options: { worker: string; reason: string; status?: 'failed' | 'aborted' },
): Promise<QueueEntry> {
  const status = options.status ?? 'failed';
  return withSharedLock(root, async () => {
    const { file } = queueFile(root);
    const entry = await editQueue(root, (list, layout) => {
      const raw = ownedEntry(list, id, options.worker, file);
      raw.status = status;
      setWorker(raw, layout, options.worker);
      raw.result = `${status.toUpperCase()}: ${options.reason}`;
      raw.completed_at = now();
      return normaliseEntry(raw);
    });
    await editCoordination(root, (doc) => {
      const completed: Json = {
        id: entry.id,
        name: entry.name,
        worker: options.worker,
        score: null,
        time_min: null,
        result: status.toUpperCase(),
        note: options.reason,
      };
      if (entry.family) completed.family = entry.family;
      finishInCoordination(doc, entry, options.worker, completed);
    });
    return entry;
  });
}

/**
 * Puts a claimed experiment back to available: its run failed for a reason that is not the experiment's (a bad
 * dataset, a full disk), so the queue keeps it for when the cause is fixed instead of recording a failure.
 */
export async function releaseExperiment(
  root: string,
  id: string,
  options: { worker: string; reason: string },
): Promise<QueueEntry> {
  return withSharedLock(root, async () => {
    const { file } = queueFile(root);
    const entry = await editQueue(root, (list, layout) => {
      const raw = ownedEntry(list, id, options.worker, file);
      raw.status = 'available';
      for (const key of new Set([layout.workerKey, 'worker', 'claimed_by', 'assigned_to']))
        if (key in raw) raw[key] = null;
      delete raw.claimed_at;
      raw.released = { worker: options.worker, reason: options.reason, at: now() };
      return normaliseEntry(raw);
    });
    await editCoordination(root, (doc) => {
      if (doc.experiments_in_progress && typeof doc.experiments_in_progress === 'object')
        delete doc.experiments_in_progress[entry.id];
      const record = workerRecord(doc, options.worker);
      record.status = 'idle';
      record.current_experiment = null;
      markSeen(doc, record);
    });
    return entry;
  });
}
