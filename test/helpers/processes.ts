// Whether a process still runs, for tests that check what survived a stop, a detach or a kill.
import fs from 'node:fs';

/** Running or sleeping; a zombie (killed, waiting for a busy init to reap it) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}
