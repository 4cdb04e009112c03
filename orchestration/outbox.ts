// A durable journal of the records one finished result must reach (queue, log, STATE.json, MLflow, ...), so a
// shared file that is unreadable at that moment delays a record and never loses or repeats it.
import path from 'node:path';
import { ensureDir, exists, listDir, readText, removeFile } from '../core/safe-fs.js';
import { workspacePaths } from '../core/workspace-paths.js';
import { writeTextAtomic } from './json-store.js';

/** One pending result: what to record (`payload`), which steps are applied, and what they returned. */
export interface OutboxRecord {
  key: string;
  /** Which step list applies it (the writer's and the drainer's shared name, e.g. `worker-result`). */
  kind: string;
  created_at: string;
  payload: Record<string, unknown>;
  done: string[];
  outputs: Record<string, unknown>;
  /** The last step's failure, for whoever looks at the file. */
  waiting_on?: string;
}

/**
 * One step of recording a result. `apply` must be idempotent for the record's key: a crash after it ran and
 * before the journal says so replays it, and it must then change nothing.
 */
export interface OutboxStep {
  name: string;
  apply(record: OutboxRecord): Promise<unknown>;
}

export type DrainResult =
  { complete: true; outputs: Record<string, unknown> } | { complete: false; step: string; error: Error };

/** experiments/<name>/outbox/: next to the experiment, so it is inside every agent's mount and survives restarts. */
export function outboxDir(root: string, experiment: string): string {
  return path.join(workspacePaths(root).experimentDir(experiment), 'outbox');
}

/** The journal file of `key`; keys start with a sortable time, so file names sort in the order results finished. */
function outboxFile(dir: string, key: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(key)) throw new Error(`invalid outbox key "${key}"`);
  return path.join(dir, `${key}.json`);
}

/** A sortable key for a result finished now: `20261129T193012345-<id>`. */
export function outboxKey(id: string): string {
  return `${new Date().toISOString().replace(/[-:.]/g, '').replace(/Z$/, '')}-${id.replace(/[^A-Za-z0-9_.-]+/g, '_')}`;
}

/** Writes the journal (atomically) before any step runs; an existing journal for the key is kept as it is. */
export async function openOutbox(dir: string, record: Pick<OutboxRecord, 'key' | 'kind' | 'payload'>): Promise<string> {
  const file = outboxFile(dir, record.key);
  if (exists(file)) return file;
  ensureDir(dir);
  const full: OutboxRecord = {
    key: record.key,
    kind: record.kind,
    created_at: new Date().toISOString(),
    payload: record.payload,
    done: [],
    outputs: {},
  };
  await writeTextAtomic(file, `${JSON.stringify(full, null, 2)}\n`);
  return file;
}

export function readOutbox(file: string): OutboxRecord {
  const text = readText(file);
  if (text === null) throw new Error(`${file} is missing`);
  return JSON.parse(text) as OutboxRecord;
}

/**
 * Applies the steps not yet done, in order, recording each one as done (atomically) before the next. Stops at
 * the first failure and keeps the journal; when every step is done the journal is removed.
 */
export async function drainOutbox(file: string, steps: readonly OutboxStep[]): Promise<DrainResult> {
  const record = readOutbox(file);
  for (const step of steps) {
    if (record.done.includes(step.name)) continue;
    try {
      const output = await step.apply(record);
      if (output !== undefined) record.outputs[step.name] = output;
      record.done.push(step.name);
      delete record.waiting_on;
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      record.waiting_on = `${step.name}: ${failure.message}`;
      await writeTextAtomic(file, `${JSON.stringify(record, null, 2)}\n`).catch(() => undefined);
      return { complete: false, step: step.name, error: failure };
    }
    try {
      await writeTextAtomic(file, `${JSON.stringify(record, null, 2)}\n`);
    } catch (error) {
      // The step is applied but not marked: the replay finds it applied (steps are idempotent).
      return { complete: false, step: step.name, error: error instanceof Error ? error : new Error(String(error)) };
    }
  }
  removeFile(file);
  return { complete: true, outputs: record.outputs };
}

/**
 * Drains every pending journal whose kind has steps here, oldest first, stopping at the first that cannot be
 * completed (later results wait behind it, so they reach every file in the order they finished).
 */
export async function drainPending(
  root: string,
  kinds: Readonly<Record<string, readonly OutboxStep[]>>,
): Promise<DrainResult & { file?: string }> {
  for (const file of pendingOutboxes(root)) {
    let kind: string;
    try {
      kind = readOutbox(file).kind;
    } catch (error) {
      return {
        complete: false,
        step: 'read',
        error: new Error(`${file}: unreadable pending result (${(error as Error).message})`),
        file,
      };
    }
    const steps = kinds[kind];
    if (!steps) continue;
    const drained = await drainOutbox(file, steps);
    if (!drained.complete) return { ...drained, file };
  }
  return { complete: true, outputs: {} };
}

/**
 * Retries `write` every `everyMs` while it fails (a full disk, a read-only mount), telling `onWait` once per
 * distinct failure; gives up only when `signal` aborts. For data that exists only in memory until written.
 */
export async function untilWritten(
  write: () => Promise<void>,
  opts: { file: string; signal?: AbortSignal; onWait?: (message: string) => void; everyMs?: number },
): Promise<void> {
  let told = '';
  for (;;) {
    try {
      await write();
      return;
    } catch (error) {
      if (opts.signal?.aborted) throw error;
      const message = `${opts.file}: cannot write the result (${(error as Error).message}); retrying every ${Math.round((opts.everyMs ?? 5_000) / 1000)} s until it can be written${/ENOSPC|EDQUOT/.test(String((error as NodeJS.ErrnoException).code)) ? ' — free disk space' : ''}`;
      if (message !== told) opts.onWait?.(message);
      told = message;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, opts.everyMs ?? 5_000);
        opts.signal?.addEventListener('abort', done, { once: true });
        function done() {
          clearTimeout(timer);
          opts.signal?.removeEventListener('abort', done);
          resolve();
        }
      });
    }
  }
}

/** Every pending journal of the workspace, oldest first (by key, across experiments). */
export function pendingOutboxes(root: string): string[] {
  const experiments = workspacePaths(root).experiments;
  let names: string[];
  try {
    names = listDir(experiments).map((entry) => entry.name);
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const name of names) {
    const dir = path.join(experiments, name, 'outbox');
    let entries: string[];
    try {
      // Regular files only: a link or pipe planted in the outbox is not a journal.
      entries = listDir(dir)
        .filter((entry) => entry.isFile())
        .map((entry) => entry.name);
    } catch {
      continue;
    }
    for (const entry of entries)
      if (entry.endsWith('.json') && !entry.startsWith('.')) files.push(path.join(dir, entry));
  }
  return files.sort((a, b) => path.basename(a).localeCompare(path.basename(b)));
}
