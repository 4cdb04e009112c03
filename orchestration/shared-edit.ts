// The queue and coordination.json edited under the workspace's lock: what every queue operation shares.
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { workspacePaths } from '../core/workspace-paths.js';
import { newCoordination } from './coordination.js';
import { pythonFloat } from './json-edit.js';
import { updateJson } from './json-store.js';
import { withLock } from './lock.js';
import { queueFile, validateQueue, type QueueLayout } from './queue-view.js';
import { CoordinationFile, parseFile } from './schemas.js';

/**
 * The locked read-modify-write operations (queue-claims.ts, queue-add.ts, coordination-notes.ts)
 * are what agents and people use instead of editing the JSON by hand, where two concurrent edits silently lose one
 * of them. Every operation holds the workspace's shared lock for its whole read-modify-write of
 * experiment_queue.json and coordination.json.
 */

/** Exit code for "nothing to do / somebody else has it": agents loop on it without parsing text. */
export const EXIT_UNAVAILABLE = 3;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a free-form JSON document whose unknown fields are kept as they are
export type Json = Record<string, any>;

export const now = () => new Date().toISOString();

/** Runs `fn` holding the lock that guards the shared queue, coordination and state files. */
export function withSharedLock<T>(root: string, fn: () => Promise<T>): Promise<T> {
  return withLock(path.join(workspacePaths(root).locks, 'shared.lock'), fn);
}

function touchUpdated(doc: Json): void {
  if ('last_updated' in doc && (doc.last_updated === null || typeof doc.last_updated === 'string'))
    doc.last_updated = now();
}

/** Edits the queue file (any format) under the lock already held; `mutate` gets the entry list and layout. */
export async function editQueue<R>(
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
export async function editCoordination<R>(
  root: string,
  mutate: (doc: Json, parsed: CoordinationFile) => R,
): Promise<R> {
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

export function workerRecord(doc: Json, worker: string): Json {
  if (!doc.workers || typeof doc.workers !== 'object') doc.workers = {};
  if (!doc.workers[worker] || typeof doc.workers[worker] !== 'object') doc.workers[worker] = {};
  return doc.workers[worker];
}

/**
 * Sets last_seen in the spelling the file already uses: the worker's own, else its team's (the original
 * wrote epoch seconds as Python floats, 1769488065.2773347), else ISO time.
 */
export function markSeen(doc: Json, record: Json): void {
  const team = Object.values((doc.workers ?? {}) as Record<string, Json>);
  const spelling =
    record.last_seen ?? team.find((other) => other?.last_seen !== undefined && other?.last_seen !== null)?.last_seen;
  record.last_seen = typeof spelling === 'number' ? pythonFloat(Date.now() / 1000) : now();
}

export function setWorker(entry: Json, layout: QueueLayout, worker: string): void {
  entry[layout.workerKey] = worker;
  // Keep every field that names the worker consistent, so no reader sees a stale name.
  for (const key of ['worker', 'claimed_by', 'assigned_to'])
    if (key in entry && key !== layout.workerKey) entry[key] = worker;
}

export function findEntry(list: Json[], id: string, file: string): Json {
  const entry = list.find((raw) => String(raw.id ?? raw.name) === id);
  if (!entry) throw new UserError(`${file}: no experiment with id ${id}`);
  return entry;
}
