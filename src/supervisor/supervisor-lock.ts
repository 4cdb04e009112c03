// One supervisor per workspace: a second one would start every agent twice.
import { UserError } from '../../core/errors.js';
import { acquireLock } from '../../orchestration/lock.js';

/** Takes `.ralph/supervisor.lock` or says who holds it; `onLost` hears if the lock is lost while held. */
export async function takeSupervisorLock(
  lockPath: string,
  workspace: string,
  onLost: (error: Error) => void,
): Promise<() => Promise<void>> {
  try {
    return await acquireLock(lockPath, { wait: false, updateMs: 5_000, onCompromised: onLost });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new UserError(`another ralph-tui supervisor is running on ${workspace} (lock ${lockPath})`);
    }
    throw error;
  }
}
