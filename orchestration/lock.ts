// Cross-process file locks: the shared files' read-modify-write and one supervisor per workspace.
import { AsyncLocalStorage } from 'node:async_hooks';
import crypto from 'node:crypto';
import path from 'node:path';
import { fileSystemError, UserError } from '../core/errors.js';
import { ensureDir, entry, makeDirOnce, readText, removeEmptyDir, writeAtomicSync } from '../core/safe-fs.js';

/**
 * Cross-process (and cross-container, on a bind mount) mutual exclusion: the shared files' read-modify-write
 * and the one-supervisor-per-workspace lock. proper-lockfile takes the lock with mkdir, which is atomic on every
 * local filesystem and on bind mounts, and refreshes the directory's mtime while held, so a lock left by a dead
 * process (or a killed container) is broken once it is `stale` ms old.
 */
const STALE_MS = 15_000;

export interface LockOptions {
  /** Wait for a held lock (the shared files' updates) or fail at once with code ELOCKED (the supervisor's). */
  wait?: boolean;
  /** How often the held lock's mtime is refreshed (default: half of stale). */
  updateMs?: number;
  /** The lock was lost while held (its directory removed or refreshed by another process). */
  onCompromised?: (error: Error) => void;
}

/**
 * proper-lockfile retries every mkdir failure, so on a read-only or refusing file system a lock took its whole
 * retry budget (about a minute) to fail. One probe mkdir (removed at once) reports such a refusal immediately;
 * EEXIST (somebody holds the lock) is left to the retries.
 */
function refuseUnwritable(lockPath: string): void {
  let created: boolean;
  try {
    created = makeDirOnce(lockPath);
  } catch (error) {
    throw (
      fileSystemError(error, lockPath, '; nothing was changed') ??
      new UserError(`cannot lock ${lockPath}: ${(error as Error).message}`)
    );
  }
  if (created) removeEmptyDir(lockPath);
}

/** Takes the lock at `lockPath` (a directory) and returns its release. */
export async function acquireLock(lockPath: string, options: LockOptions = {}): Promise<() => Promise<void>> {
  ensureDir(path.dirname(lockPath));
  refuseUnwritable(lockPath);
  // Imported on first lock (it loads graceful-fs, ~19 ms): read-only commands never pay for it.
  const { default: lockfile } = await import('proper-lockfile');
  return lockfile.lock(lockPath, {
    lockfilePath: lockPath,
    realpath: false,
    stale: STALE_MS,
    update: options.updateMs,
    // 8 agents claiming at once: short polls with jitter (a long backoff leaves the lock idle
    // while waiters sleep), giving up after ~60 s.
    retries: options.wait === false ? 0 : { retries: 6000, factor: 1.2, minTimeout: 2, maxTimeout: 8, randomize: true },
    // The default throws from a timer (an uncaught exception).
    onCompromised: options.onCompromised ?? (() => undefined),
  });
}

/** The lock the current async context holds, checked right before each atomic replace made under it. */
interface HeldLock {
  file: string;
  /**
   * Written to `<lock>.owner` when taken: a lock broken and re-taken by another process (the folder looks the same)
   * carries another token. null when it could not be written (a full disk): the other checks still apply, and the
   * update's own write then fails naming its file.
   */
  token: string | null;
  compromised: Error | null;
}

function ownerFile(lockPath: string): string {
  return `${lockPath}.owner`;
}

const held = new AsyncLocalStorage<HeldLock>();

/**
 * Throws when the lock this update runs under is no longer ours: proper-lockfile reported it compromised, the
 * lock folder is gone or is another one (someone broke it as stale and took it), or it is old enough that anyone
 * may break it now. json-store calls it between writing the new content and renaming it over the file, so a lost
 * lock leaves the file as it was.
 */
export function assertLockHeld(): void {
  const lock = held.getStore();
  if (!lock) return;
  const now = entry(lock.file);
  let owner: string | null = null;
  try {
    owner = readText(ownerFile(lock.file), { maxBytes: 256 });
  } catch {
    // A link or pipe at the owner file: not our token.
  }
  const why = lock.compromised
    ? lock.compromised.message
    : now.kind !== 'directory' || (lock.token !== null && owner !== lock.token)
      ? 'the lock folder was removed or replaced by another process'
      : Date.now() - now.mtimeMs > STALE_MS
        ? `it was not refreshed for over ${STALE_MS / 1000} s`
        : null;
  if (why)
    throw new UserError(`lost the lock ${lock.file} during an update (${why}); the file was not written — retry`);
}

/** Runs `fn` holding the lock; every atomic write inside checks the lock is still ours before it replaces a file. */
export async function withLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  const lock: HeldLock = {
    file: lockPath,
    token: `${process.pid}-${crypto.randomBytes(8).toString('hex')}`,
    compromised: null,
  };
  let release: () => Promise<void>;
  try {
    release = await acquireLock(lockPath, {
      onCompromised: (error) => {
        lock.compromised = error;
      },
    });
  } catch (error) {
    throw new UserError(
      `cannot lock ${lockPath}: ${(error as Error).message} (another ralph-tui process holds it; a lock older than ${STALE_MS / 1000} s is broken automatically)`,
    );
  }
  try {
    try {
      writeAtomicSync(ownerFile(lockPath), lock.token!, { fsync: false });
    } catch {
      lock.token = null;
    }
    const result = await held.run(lock, fn);
    if (lock.compromised)
      throw new UserError(`lost the lock ${lockPath} during an update (${lock.compromised.message}); retry`);
    return result;
  } finally {
    await release().catch(() => undefined);
  }
}
