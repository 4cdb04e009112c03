import fs from 'node:fs';
import path from 'node:path';
import { fileSystemError, UserError } from '../core/errors.js';

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
  try {
    fs.mkdirSync(lockPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw fileSystemError(error, lockPath, '; nothing was changed') ?? new UserError(`cannot lock ${lockPath}: ${(error as Error).message}`);
  }
  fs.rmdirSync(lockPath);
}

/** Takes the lock at `lockPath` (a directory) and returns its release. */
export async function acquireLock(lockPath: string, options: LockOptions = {}): Promise<() => Promise<void>> {
  fs.mkdirSync(path.dirname(lockPath), { recursive: true });
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

/** Runs `fn` holding the lock; an update during which the lock was lost fails instead of being trusted. */
export async function withLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  let compromised: Error | null = null;
  let release: () => Promise<void>;
  try {
    release = await acquireLock(lockPath, {
      onCompromised: (error) => {
        compromised = error;
      },
    });
  } catch (error) {
    throw new UserError(`cannot lock ${lockPath}: ${(error as Error).message} (another ralph-tui process holds it; a lock older than ${STALE_MS / 1000} s is broken automatically)`);
  }
  try {
    const result = await fn();
    if (compromised) throw new UserError(`lost the lock ${lockPath} during an update (${(compromised as Error).message}); retry`);
    return result;
  } finally {
    await release().catch(() => undefined);
  }
}
