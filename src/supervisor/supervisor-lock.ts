// One supervisor per workspace: a second one would start every agent twice.
import { UserError } from '../../core/errors.js';
import { PRIVATE_FILE_MODE, readText, removeFile, removeTree, writeAtomicSync } from '../../core/safe-fs.js';
import { acquireLock } from '../../orchestration/lock.js';

/**
 * Takes `.ralph/supervisor.lock` or says who holds it; `onLost` hears if the lock is lost while held. The holder's
 * pid is written beside the lock: a lock whose holder is gone (a service killed with `kill -9`) is taken over at
 * once instead of after proper-lockfile's stale time, so a new service can start right away and re-attach.
 */
export async function takeSupervisorLock(
  lockPath: string,
  workspace: string,
  onLost: (error: Error) => void,
): Promise<() => Promise<void>> {
  const take = () => acquireLock(lockPath, { wait: false, updateMs: 5_000, onCompromised: onLost });
  let release: () => Promise<void>;
  try {
    release = await take();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    const holder = lockHolder(lockPath);
    if (holder === null || alive(holder))
      throw new UserError(
        `another ralph-tui supervisor is running on ${workspace}${holder ? ` (pid ${holder})` : ''} (lock ${lockPath})`,
      );
    removeTree(lockPath);
    release = await take();
  }
  writeAtomicSync(pidFile(lockPath), String(process.pid), { mode: PRIVATE_FILE_MODE });
  return async () => {
    removeFile(pidFile(lockPath));
    await release();
  };
}

const pidFile = (lockPath: string) => `${lockPath}.pid`;

function lockHolder(lockPath: string): number | null {
  try {
    const pid = Number(readText(pidFile(lockPath), { maxBytes: 32 })?.trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: a process of another user has that pid now — alive, and not ours to judge.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
