// Reads the shared JSON files (retrying half-written ones) and rewrites them atomically under the lock.
import { readText, readTextAsync, writeAtomic, type WriteOptions } from '../core/safe-fs.js';
import { UserError } from '../core/errors.js';
import { parseJsonText } from '../core/json-file.js';
import { detectFormatting, fastRewrite, isDeepEqual, stringifyJson } from './json-edit.js';
import { assertLockHeld } from './lock.js';

/**
 * Reading and rewriting the shared JSON files. Agents in the original deployment wrote these
 * files non-atomically, so a reader can catch one half-written: it retries briefly before it
 * reports the file, line and column, so a truly broken file can be fixed by hand.
 */
export const PARSE_RETRIES = 3;
export const PARSE_RETRY_MS = 50;

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

/** A parsed file together with its text (the text is what a format-preserving rewrite edits). */
export interface JsonDocument<T = unknown> {
  text: string;
  data: T;
}

/** Reads and parses a JSON file; null when it does not exist. Retries a parse failure, then throws a UserError. */
export function readJsonSync(file: string): JsonDocument | null {
  for (let attempt = 0; ; attempt++) {
    let text: string | null;
    try {
      text = readText(file);
    } catch (error) {
      return readFailure(error, file);
    }
    if (text === null) return null;
    const parsed = parseAttempt(text, file, attempt);
    if (parsed !== RETRY) return parsed;
    sleepSync(PARSE_RETRY_MS);
  }
}

/** The async twin of readJsonSync, for the watcher (must not block the screen while it waits). */
export async function readJson(file: string): Promise<JsonDocument | null> {
  for (let attempt = 0; ; attempt++) {
    let text: string | null;
    try {
      text = await readTextAsync(file);
    } catch (error) {
      return readFailure(error, file);
    }
    if (text === null) return null;
    const parsed = parseAttempt(text, file, attempt);
    if (parsed !== RETRY) return parsed;
    await new Promise((resolve) => setTimeout(resolve, PARSE_RETRY_MS));
  }
}

const RETRY = Symbol('retry');

/** A read failure is one sentence naming the file (the safe layer's refusals already are). */
function readFailure(error: unknown, file: string): never {
  if (error instanceof UserError) throw error;
  throw new UserError(`cannot read ${file}: ${(error as Error).message}`);
}

/** Parses, or asks for another read while an agent may still be writing the file (the last attempt throws). */
function parseAttempt(text: string, file: string, attempt: number): JsonDocument | typeof RETRY {
  try {
    return { text, data: parseJsonText(text, file) };
  } catch (error) {
    if (attempt >= PARSE_RETRIES) throw error;
    return RETRY;
  }
}

/**
 * Atomic write: temp file in the same folder, fsync, rename over the path (a link there is replaced, never
 * followed). Under withLock the lock is checked right before the rename: a lost lock leaves the file as it was.
 */
export async function writeTextAtomic(file: string, text: string, options: WriteOptions = {}): Promise<void> {
  await writeAtomic(file, text, { beforeReplace: assertLockHeld, ...options });
}

/**
 * Read-modify-write of one JSON file. The caller must hold the workspace lock. `mutate` edits a
 * deep copy (and may return a value); only the changed paths are rewritten in the text, so
 * unknown fields, key order and number spelling survive. A file that fails to parse is never
 * overwritten: the UserError propagates before anything is written. `create` supplies the
 * document for a missing file; without it a missing file is an error.
 */
export async function updateJson<R>(
  file: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a free-form JSON document whose unknown fields are kept as they are
  mutate: (data: any) => R,
  options: { create?: () => unknown; label?: string } = {},
): Promise<R> {
  const doc = readJsonSync(file);
  let text: string;
  let before: unknown;
  if (doc) {
    text = doc.text;
    before = doc.data;
  } else if (options.create) {
    before = options.create();
    text = `${JSON.stringify(before, null, 2)}\n`;
  } else {
    throw new UserError(`${file} does not exist`);
  }
  const after = structuredClone(before);
  const result = mutate(after);
  const next = doc ? await preservingRewrite(text, before, after) : `${stringifyJson(after, 2)}\n`;
  if (next !== text || !doc) await writeTextAtomic(file, next);
  return result;
}

/**
 * The format-preserving rewrite, verified: if the edited text does not parse back to exactly the
 * intended document (a jsonc-parser corner case), the whole document is re-serialised instead —
 * losing formatting is acceptable, losing data is not.
 */
async function preservingRewrite(text: string, before: unknown, after: unknown): Promise<string> {
  const slow = async (t: string, b: unknown, a: unknown) => (await import('./json-modify.js')).modifyRewrite(t, b, a);
  for (const rewrite of [fastRewrite, slow]) {
    try {
      const next = await rewrite(text, before, after);
      if (next !== null && isDeepEqual(JSON.parse(next), after)) return next;
    } catch {
      // try the next strategy
    }
  }
  const { insertSpaces, tabSize } = detectFormatting(text);
  return `${stringifyJson(after, insertSpaces ? tabSize : '\t')}\n`;
}
