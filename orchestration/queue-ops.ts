// The locked queue operations: add, claim, complete, fail and release experiments.
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { workspacePaths } from '../core/workspace-paths.js';
import { bestOf, coordinationFormat, newCoordination } from './coordination.js';
import { beatsBest } from './best-score.js';
import { assertExperimentName } from './experiment-name.js';
import { pythonFloat } from './json-edit.js';
import { updateJson } from './json-store.js';
import { withLock } from './lock.js';
import { normaliseEntry, queueFile, validateQueue, type QueueEntry, type QueueLayout } from './queue-view.js';
import { CoordinationFile, parseFile } from './schemas.js';
import { mapStatus } from './status-map.js';

/**
 * The locked read-modify-write operations agents and people use instead of editing the JSON by
 * hand, where two concurrent edits silently lose one of them. Every operation holds the workspace's
 * shared lock for its whole read-modify-write of experiment_queue.json and coordination.json.
 */

/** Exit code for "nothing to do / somebody else has it": agents loop on it without parsing text. */
export const EXIT_UNAVAILABLE = 3;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a free-form JSON document whose unknown fields are kept as they are
type Json = Record<string, any>;

const now = () => new Date().toISOString();

/** Runs `fn` holding the lock that guards the shared queue, coordination and state files. */
export function withSharedLock<T>(root: string, fn: () => Promise<T>): Promise<T> {
  return withLock(path.join(workspacePaths(root).locks, 'shared.lock'), fn);
}

function touchUpdated(doc: Json): void {
  if ('last_updated' in doc && (doc.last_updated === null || typeof doc.last_updated === 'string'))
    doc.last_updated = now();
}

/** Edits the queue file (any format) under the lock already held; `mutate` gets the entry list and layout. */
async function editQueue<R>(
  root: string,
  mutate: (list: Json[], layout: QueueLayout, doc: Json) => R,
  create = false,
): Promise<R> {
  const { file, exists } = queueFile(root);
  if (!exists && !create)
    throw new UserError(
      `no experiment available: ${file} does not exist yet (add experiments with \`ralph-tui queue add\`)`,
      EXIT_UNAVAILABLE,
    );
  return updateJson(
    file,
    (doc: Json) => {
      const layout = validateQueue(doc, file);
      if (!Array.isArray(doc[layout.listKey])) doc[layout.listKey] = [];
      const result = mutate(doc[layout.listKey] as Json[], layout, doc);
      touchUpdated(doc);
      return result;
    },
    { create: () => ({ version: '1', last_updated: now(), experiment_queue: [] }) },
  );
}

/** Edits coordination.json (created in the current form if missing) under the lock already held. */
async function editCoordination<R>(root: string, mutate: (doc: Json, parsed: CoordinationFile) => R): Promise<R> {
  const file = workspacePaths(root).coordination;
  return updateJson(
    file,
    (doc: Json) => {
      const result = mutate(doc, parseFile(CoordinationFile, doc, file));
      touchUpdated(doc);
      return result;
    },
    { create: newCoordination },
  );
}

function workerRecord(doc: Json, worker: string): Json {
  if (!doc.workers || typeof doc.workers !== 'object') doc.workers = {};
  if (!doc.workers[worker] || typeof doc.workers[worker] !== 'object') doc.workers[worker] = {};
  return doc.workers[worker];
}

/**
 * Sets last_seen in the spelling the file already uses: the worker's own, else its team's (the original
 * wrote epoch seconds as Python floats, 1769488065.2773347), else ISO time.
 */
function markSeen(doc: Json, record: Json): void {
  const team = Object.values((doc.workers ?? {}) as Record<string, Json>);
  const spelling =
    record.last_seen ?? team.find((other) => other?.last_seen !== undefined && other?.last_seen !== null)?.last_seen;
  record.last_seen = typeof spelling === 'number' ? pythonFloat(Date.now() / 1000) : now();
}

function setWorker(entry: Json, layout: QueueLayout, worker: string): void {
  entry[layout.workerKey] = worker;
  // Keep every field that names the worker consistent, so no reader sees a stale name.
  for (const key of ['worker', 'claimed_by', 'assigned_to'])
    if (key in entry && key !== layout.workerKey) entry[key] = worker;
}

function findEntry(list: Json[], id: string, file: string): Json {
  const entry = list.find((raw) => String(raw.id ?? raw.name) === id);
  if (!entry) throw new UserError(`${file}: no experiment with id ${id}`);
  return entry;
}

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

export interface NewExperiment {
  name: string;
  family?: string;
  priority?: number;
  description?: string;
  hypothesis?: string;
  config?: Record<string, unknown>;
  /** Optional explicit id; by default EXP_<NAME>_001 (the original convention), numbered to be unique. */
  id?: string;
}

export const DEFAULT_PRIORITY = 3;

function newId(name: string, taken: Set<string>): string {
  const stem = `EXP_${
    name
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '_')
      .replace(/^_|_$/g, '') || 'EXPERIMENT'
  }`;
  for (let n = 1; ; n++) {
    const id = `${stem}_${String(n).padStart(3, '0')}`;
    if (!taken.has(id)) return id;
  }
}

/** Adds experiments (status available). Creates experiment_queue.json when the workspace has no queue yet. */
export async function addExperiments(root: string, entries: NewExperiment[]): Promise<QueueEntry[]> {
  for (const [index, entry] of entries.entries()) {
    if (!entry.name || typeof entry.name !== 'string')
      throw new UserError(`experiment ${index + 1}: field name: expected a non-empty name`);
    assertExperimentName(entry.name, entries.length > 1 ? `experiment ${index + 1}: name` : 'experiment name');
  }
  return withSharedLock(root, () =>
    editQueue(
      root,
      (list, layout) => {
        const taken = new Set(list.map((raw) => String(raw.id ?? raw.name)));
        return entries.map((input) => {
          if (input.id && taken.has(input.id)) throw new UserError(`experiment id ${input.id} is already in the queue`);
          const id = input.id ?? newId(input.name, taken);
          taken.add(id);
          const raw: Json = { id, priority: input.priority ?? DEFAULT_PRIORITY };
          if (input.family) raw.family = input.family;
          raw.status = 'available';
          raw.name = input.name;
          if (input.description) raw.description = input.description;
          if (input.hypothesis) raw.hypothesis = input.hypothesis;
          if (input.config) raw.config = input.config;
          if (layout.format !== 'v3') raw[layout.workerKey] = null;
          raw.created_at = now();
          list.push(raw);
          return normaliseEntry(raw);
        });
      },
      true,
    ),
  );
}

/** Records that a worker is alive (and optionally its status and current experiment). */
export async function heartbeat(
  root: string,
  worker: string,
  status?: string,
  currentExperiment?: string | null,
): Promise<void> {
  await withSharedLock(root, () =>
    editCoordination(root, (doc) => {
      const record = workerRecord(doc, worker);
      if (status !== undefined) record.status = status;
      if (currentExperiment !== undefined) record.current_experiment = currentExperiment;
      markSeen(doc, record);
    }),
  );
}

/** Appends a research finding ("W1: ...") to coordination.json. */
export async function recordFinding(root: string, worker: string, text: string): Promise<void> {
  await withSharedLock(root, () =>
    editCoordination(root, (doc) => {
      if (!Array.isArray(doc.research_findings)) doc.research_findings = [];
      doc.research_findings.push(`${worker}: ${text}`);
    }),
  );
}
