import fs from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { UserError } from '../core/errors.js';

/**
 * Cross-process (and cross-container, on a bind mount) mutual exclusion for read-modify-write of
 * the shared files. proper-lockfile takes the lock with mkdir, which is atomic on every local
 * filesystem and on bind mounts, and refreshes the directory's mtime while held, so a lock left
 * by a dead process (or a killed container) is broken once it is `stale` ms old.
 */
const STALE_MS = 15_000;

export async function withLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  fs.mkdirSync(path.dirname(lockPath), { recursive: true });
  let compromised: Error | null = null;
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(lockPath, {
      lockfilePath: lockPath,
      realpath: false,
      stale: STALE_MS,
      // 8 agents claiming at once: short polls with jitter (a long backoff leaves the lock idle
      // while waiters sleep), giving up after ~60 s.
      retries: { retries: 6000, factor: 1.2, minTimeout: 2, maxTimeout: 8, randomize: true },
      // The default throws from a timer (an uncaught exception); record it and fail the write instead.
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
